"""The records a prompt's domain stands for, and the records chosen where the prompt names none."""

from __future__ import annotations

import re

from codegen.generators.template import catalog
from codegen.generators.template.checklist.items import MET, SUBSTITUTED, UNMET, Builder
from codegen.generators.template.words import article, human_list, normalize, plural, singular


def domain(b: Builder, text: str, named: dict[str, bool]) -> None:
    """"a bookstore API": the domain's usual entities stand for what the prompt did not name."""
    flat = normalize(text).lower()
    domain = catalog.find_domain(flat)
    if domain is None or b.spec.recipe or b.spec.kind == "data_script":
        return
    assumed = [e for e in b.spec.entities if e.name not in named and e.name in domain[1]]
    pattern = next(p for p, word, _ in catalog.DOMAINS if word == domain[0])
    kind_words = r"(?:\s+taking)?\s+(?:web\s+)?(?:app|application|api|tool|site|website|page|manager|tracker|system|service|cli)\b"
    headed = re.search(rf"\b(?:{pattern}){kind_words}", flat)
    # "a coffee subscription service: customers, plans, subscriptions": a record named is what the word meant
    own_word = any(re.fullmatch(pattern, e.plural.replace("_", " ")) or re.fullmatch(pattern, e.name.replace("_", " "))
                   for e in b.spec.entities if e.name in named)
    if headed and not assumed and not own_word and not any(b.spec.entity(name) for name in domain[1]):
        wanted = human_list([plural(name).replace("_", " ") for name in domain[1]])
        # "a meal kit subscription service" asked for no newsletter: the request is said in the prompt's words
        said = " ".join(headed.group(0).split())
        asked = (f"{article(domain[0].lower())} project" if singular(domain[0].lower()) in said
                 else article(said))
        b.add(asked, UNMET, [],
              f"it keeps {human_list([e.plural for e in b.spec.entities])}, not {wanted}")
        return
    if assumed:
        # the domain's word names its first records ("a todo app": tasks); the others must be the prompt's words
        words = set(re.findall(r"[a-z]+", flat.replace("_", " ")))
        # "booking a house cleaning" finds the hotel domain by its records: the prompt never said "hotel"; "an
        # online store" names the shop by a word of the business itself
        found = re.search(rf"\b(?:{pattern})\b", flat)
        titled = domain[0].lower() in words or bool(found and singular(found.group(0)).replace(" ", "_") not in domain[1])
        unnamed = [e for e in assumed if (e.name != domain[1][0] or not titled)
                   and not {e.name.replace("_", " "), e.plural.replace("_", " ")} & words]
        kept, project = [e for e in assumed if e not in unnamed], f"{article(domain[0].lower())} project"
        if kept and not titled:
            b.add(human_list([e.plural.replace("_", " ") for e in kept]), MET, b.where(*(e.plural for e in kept)))
        elif kept:
            b.add(project, MET, b.where(*(e.plural for e in kept)),
                  f"no records named; it keeps {human_list([e.plural.replace('_', ' ') for e in kept])}, the usual ones")
        if unnamed:
            b.add(human_list([e.plural.replace("_", " ") for e in unnamed]), SUBSTITUTED, b.where(
                *(e.plural for e in unnamed)), f"the usual records of {project}, kept though the prompt never named them")


def assumed_records(b: Builder, assumptions: list[str]) -> None:
    """Records the generator chose because the prompt names none: said, not kept silently as if asked."""
    for assumption in assumptions:
        chosen = re.match(r"no \w+ named; assumed (items with .+)$", assumption)
        if chosen and b.spec.entity("item"):
            b.add("the records to keep", SUBSTITUTED, b.where(paths=r"(^|/)(test_)?items\.py$"),
                  f"{chosen.group(1)}: the prompt names no records, so the offline generator chose these")
