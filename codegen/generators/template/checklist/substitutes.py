"""When the program written is a stand-in for the one asked, nothing of it is met.

The generator's fallbacks (a REST API, a records app, a CSV report of totals) take names from the
prompt: "a star rating component" becomes a page of "half stars", "slugify ... collapses dashes" an
API of "collapses dashes". Each name is then "written", but none is what was asked: once the
program itself is marked substituted, its parts are the substitute's too. With nothing else met,
the generation is refused (checklist.fail_if_nothing_served) and says what the generator can do.
"""

from __future__ import annotations

import re

from codegen.generators.template import catalog
from codegen.generators.template.checklist.items import MET, SUBSTITUTED, Builder, main_files
from codegen.generators.template.model import KIND_LABELS
from codegen.generators.template.words import human_list, normalize

# the requests of checklist.requests that stand for the program as a whole
_WHOLE_PROGRAM = re.compile(r"the (?!page )(?:kind of program|data processing|[\w ]+) the prompt describes|an? [\w ]+ app")
# a program the records stand in for (the REST API as the last resort for a prompt naming no kind, a page of
# records for a quiz or a dashboard): records the prompt asks to keep still make them a fair part of the answer
_KEPT_BESIDE = re.compile(r"the kind of program the prompt describes|an? [\w ]+ app")
# a prompt that asks to keep records: a records project answers it, whatever else it asks
KEEPS_RECORDS = re.compile(
    r"\b(?:track\w*|manag\w+|keep(?:s|ing)? (?:a |my |our |the |track)|log(?:s|ging)? (?:my|our|the|of|each|every)"
    r"|record(?:s|ing)? (?:my|our|the|of|each|every)|organi[sz]\w+|catalog\w*|inventory|collections? of|lists? of|todo|to do"
    r"|crud|journal|diary|bookmarks?|address book|contacts|notes?|note taking|lists?|records|save\w* (?:my|our|the|them|it|each|every)"
    r"|local_?storage|database|stor(?:e|es|ing) (?:my|our|the|them|each|every)"
    r"|(?:add|create)(?:,|/| and| or)? ?(?:edit|list|view|update|remove|delete)|add (?:the |new |my )?\w+s)\b"
)
# a list the program is given to work on is its input, not records to keep: "takes a list of URLs from a file"
_INPUT_LIST = re.compile(r"\b(?:takes?|taking|reads?|reading|given|accepts?|loads?|gets?|pass(?:es)?) (?:in )?(?:a |the |an? )?"
                         r"lists? of [\w ]{1,30}?(?: (?:from|in) (?:a |the )?[\w.]+(?: files?)?)?\b"
                         r"|\blists? of \w+ (?:from|in) (?:a |the )?(?:text |txt |csv |json )?files?\b")
# a program named for what it does, and the checklist's request for that doing (checklist.details)
_PROGRAMS_OF_DOING = [
    (r"\b(?:url|link) shorten\w*", "making a short code for each link and redirecting it to its URL"),
]
# "write a python function that ...", "a function to ..."
FUNCTION_ASK_RE = re.compile(r"\b(?:python )?functions? (?:that|to|which|for|called|named|returning)\b")


def mark(b: Builder, text: str, entities_named: dict[str, bool], is_generic) -> None:
    """Mark the parts of a stand-in program substituted, the program first."""
    flat = normalize(text).lower()
    domain = catalog.find_domain(flat)  # "a blog website": a blog keeps posts
    records_asked = bool(KEEPS_RECORDS.search(_INPUT_LIST.sub(" ", flat))) or any(entities_named.values()) or bool(
        domain and any(entity.name in domain[1] for entity in b.spec.entities))
    kept = human_list([e.plural.replace("_", " ") for e in b.spec.entities])
    stand_ins: list[str] = []  # whole programs this function finds substituted
    if b.spec.recipe is None and b.spec.kind in ("cli", "webpage") and b.spec.entities and not records_asked:
        stand_ins.append("the program the prompt describes")
        b.add("the program the prompt describes", SUBSTITUTED, main_files(b),
              f"a {KIND_LABELS[b.spec.kind]} that keeps records of {kept} (add, list, change, remove): the prompt "
              "asks for a program that does something, and the offline generator does not write it")
    for program, doing in _PROGRAMS_OF_DOING:
        named = re.search(program, flat)
        if named and any(item.text == doing and item.status != MET for item in b.items):
            stand_ins.append(f"a {named.group(0)}")
            b.add(f"a {named.group(0)}", SUBSTITUTED, main_files(b), f"records of {kept} without {doing}")
    whole = next((item for item in b.items if item.status == SUBSTITUTED and (item.text in stand_ins or (
        _WHOLE_PROGRAM.fullmatch(item.text) and not (records_asked and _KEPT_BESIDE.fullmatch(item.text))))), None)
    if whole is not None:
        reason = f"written as part of the stand-in for {whole.text}, not as asked"
    elif b.spec.kind == "library" and b.spec.recipe is None and FUNCTION_ASK_RE.search(flat):
        reason = ("a library of records, where a function was asked for: no recipe of the offline generator "
                  "writes that function")
    else:
        return
    for item in b.items:
        if item.status == MET and not is_generic(item.text):
            item.status, item.detail = SUBSTITUTED, reason
