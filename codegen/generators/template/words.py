"""Word handling for prompt parsing: tokens, identifiers, plurals, typo repair."""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata
from dataclasses import dataclass

_IRREGULAR_PLURALS = {
    "person": "people", "child": "children", "man": "men", "woman": "women", "mouse": "mice",
    "goose": "geese", "foot": "feet", "tooth": "teeth", "ox": "oxen", "datum": "data",
    "criterion": "criteria", "analysis": "analyses", "index": "indexes", "quiz": "quizzes",
    "bus": "buses", "status": "statuses", "campus": "campuses", "bonus": "bonuses", "virus": "viruses",
    "hero": "heroes", "potato": "potatoes", "tomato": "tomatoes", "echo": "echoes", "leaf": "leaves",
    "knife": "knives", "life": "lives", "wife": "wives", "shelf": "shelves", "thief": "thieves",
    "half": "halves", "wolf": "wolves", "calf": "calves", "loaf": "loaves", "axis": "axes",
    "thesis": "theses", "crisis": "crises", "diagnosis": "diagnoses", "synopsis": "synopses",
    "cache": "caches", "niche": "niches", "alias": "aliases", "canvas": "canvases",
}
_IRREGULAR_SINGULARS = {plural: singular for singular, plural in _IRREGULAR_PLURALS.items()}
# words that end in "s" (or look plural) but are not plurals of something else
_UNCOUNTED = frozenset(
    "news series species data metadata media analytics statistics physics mathematics economics ethics"
    " logistics electronics athletics status address business process access success progress canvas"
    " bonus virus atlas alias gas chaos lens bus campus census corpus class glass grass mass pass boss"
    " dress loss moss kiss miss chess bias iris tennis axis basis thesis crisis analysis diagnosis"
    " synopsis this his is was has does yes us plus minus thus always perhaps its whereas bonus"
    " previous various famous generous anonymous nervous serious obvious religious delicious"
    " gps sms dns aws os ios cms css js sas saas paas kudos pros cons".split()
)
_IES_EXCEPTIONS = frozenset("movies cookies pies ties lies zombies calories rookies hippies smoothies".split())
_ES_AFTER = ("ss", "sh", "ch", "x", "z")


def singular(word: str) -> str:
    """``books`` -> ``book``; words that are not plural come back unchanged."""
    if not word or "_" in word:
        head, _, tail = word.rpartition("_")
        return f"{head}_{singular(tail)}" if head else word
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word in _UNCOUNTED or len(word) < 3 or not word.endswith("s"):
        return word
    if word.endswith(("ous", "ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-1] if word in _IES_EXCEPTIONS else word[:-3] + "y"
    if word.endswith("sses") or word.endswith(("shes", "ches", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def plural(word: str) -> str:
    """``book`` -> ``books``; an already plural word comes back unchanged."""
    if "_" in word:
        head, _, tail = word.rpartition("_")
        return f"{head}_{plural(tail)}"
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word in _IRREGULAR_SINGULARS or word in _UNCOUNTED and word not in ("status", "address", "class", "bus"):
        return word
    if singular(word) != word:
        return word
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(_ES_AFTER) or word.endswith("s"):
        return word + "es"
    return word + "s"


def is_plural(word: str) -> bool:
    return singular(word) != word


# names that would shadow pydantic/Python machinery in generated models and modules
_RESERVED_NAMES = frozenset(
    "id json dict copy schema construct validate fields self cls type object none true false".split()
)


# letters NFKD leaves whole (Polish ł, Danish ø, ...), written as their plain letters
_UNDECOMPOSED = str.maketrans({"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe",
                               "Œ": "OE", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def ascii_letters(text: str) -> str:
    """``text`` with accented letters written without their accents ("allergènes" -> "allergenes", ß -> ss)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED)).encode("ascii", "ignore").decode()


def identifier(text: str) -> str:
    """A snake_case Python identifier for ``text`` ("Due Date" -> ``due_date``, "allergènes" -> ``allergenes``);
    may be empty."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_letters(text).strip())
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    text = re.sub(r"_+", "_", text)[:40].strip("_")
    if text and text[0].isdigit():
        text = "n_" + text
    return text


def safe_field_name(name: str) -> str:
    """``name`` made safe as an attribute of a generated model (``class`` -> ``class_name``)."""
    if keyword.iskeyword(name) or name in _RESERVED_NAMES or name.startswith("model_"):
        return f"{name}_value" if name.startswith("model_") else f"{name}_name"
    return name


def camel(name: str) -> str:
    """``order_item`` -> ``OrderItem``."""
    return "".join(part.capitalize() for part in name.split("_") if part)


def title(name: str) -> str:
    """``order_item`` -> ``Order item``."""
    words = name.replace("_", " ").split()
    return " ".join(words).capitalize()


def article(phrase: str) -> str:
    """``"author"`` -> ``"an author"``."""
    return f"{'an' if phrase[:1] in 'aeiou' else 'a'} {phrase}"


def human_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class Token:
    text: str  # lower case, hyphens inside words turned to underscores
    raw: str  # as written (case kept)

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha() or self.text[:1] == "_"


# common spellings normalized before tokenizing, so keyword rules see one form
_PHRASES = [
    (r"\be-?mail(s)?\b", r"email\1"),
    (r"(?<![\w/])w/(?=\s)", "with"),
    (r"\bto-?dos?\b(?! list)", "todo"),
    (r"\bto-?do list", "todo list"),
    (r"\blog[ -]?ins?\b", "login"),
    (r"\bsign[ -]?in\b", "signin"),
    (r"\bsign[ -]?up\b", "signup"),
    (r"\bweb[ -]page", "webpage"),
    (r"\bweb[ -]site", "website"),
    (r"\bfront[ -]end\b", "frontend"),
    (r"\bback[ -]end\b", "backend"),
    (r"\bcommand[ -]line\b", "command line"),
    (r"\bin[ -]memory\b", "in memory"),
    (r"\bjson[ -]web[ -]tokens?\b", "jwt"),
    (r"\bfast[ -]api\b", "fastapi"),
    (r"\bsq[ -]?lite\d?\b", "sqlite"),
    (r"\be-?commerce\b", "ecommerce"),
    (r"\bset[ -]up\b", "setup"),
    (r"[\u2018\u2019`]", "'"),
    # contractions before the apostrophes go (tokenize drops them): "can't be negative" is a rule
    (r"\bcan'?t\b", "cannot"),
    (r"\bwon't\b", "will not"),
    (r"\b(must|should|does|do|is|are|may)n't\b", r"\1 not"),
    # a rating scale is a rule on the rating field: "rate movies from 1 to 5"
    (r"\brate (\w+(?: \w+)?) (?:from|on a scale of) (\d+) (?:to|-) (\d+)\b", r"rate \1; rating must be between \2 and \3"),
    # a comparison is a rule: "price must be > 0", "quantity should be >= 1"
    (r"\b(must|should|has to|needs to) be ?>= ?(-?\d+(?:\.\d+)?)", r"\1 be at least \2"),
    (r"\b(must|should|has to|needs to) be ?<= ?(-?\d+(?:\.\d+)?)", r"\1 be at most \2"),
    (r"\b(must|should|has to|needs to) be ?> ?(-?\d+(?:\.\d+)?)", r"\1 be greater than \2"),
    (r"\b(must|should|has to|needs to) be ?< ?(-?\d+(?:\.\d+)?)", r"\1 be less than \2"),
    (r"[\u201c\u201d]", '"'),
    (r"[\u2013\u2014]", " - "),
]

_CAMEL_RE = re.compile(r"\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+\b")  # dueDate, isDoneFlag
_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*|\d+(?:\.\d+)?|\n|[(),;:.!?&/\[\]{}]")


# a field and its rule, written inside a list of fields (after "(", ",", ":", "with", "has", "and", "a"), up to
# the item's end: each becomes the field alone, and its rule is said after the text
_IN_LIST = (r"(?:(?<=[,:(] )|(?<=\bwith )|(?<=\bhas )|(?<=\bhave )|(?<=\band )|(?<=\ban )|(?<=\ba )"
            r"|(?<=\())")
# a list item ends at a comma, a semicolon, a closing bracket, "and", or a full stop ending the sentence
_ITEM_END = r"(?=\s*(?:[,;)]|\band\b|\.(?:\s|$)|$))"
_WORD_VALUES = r"[A-Za-z][\w-]*"
# values written "a/b/c" or "a|b|c"
_SLASHED_VALUES = rf"{_WORD_VALUES}(?: ?[/|] ?{_WORD_VALUES})+"
# what may stand between a field and its values: "category enum a/b/c", "service one of a/b/c"
_VALUES_OPENER = r"(?:(?:one of|enum|either):? )?"
# a bracket opened before a rule is closed after it, and only then: "(id, email unique) and Appointment (" keeps
# its ")" (it ends the list of fields), "number (unique)" loses both
_OPEN, _CLOSE = r"(?P<open>\()?", r"(?(open)\))"
# a field's name of one or two words ("rsvp status (pending, yes, no)", "table number 1-40"), neither of them an
# article, a preposition or a conjunction (the name is followed by [a-z_]+)
_NOT_NAME = (r"(?!(?:a|an|the|and|or|with|of|in|on|for|to|at|by|is|are|has|have|its|their|each|every|per|as|must"
             r"|should|can|be|enum|one|either|from|into|between)\b)")
_NAME_WORD = rf"(?:{_NOT_NAME}[a-z]+ )?{_NOT_NAME}"
_COMPARISONS = {">=": "at least", "<=": "at most", ">": "greater than", "<": "less than"}
_LIST_RULES: list[tuple[re.Pattern[str], object]] = [
    # "genre enum (drama, documentary, comedy)", "mood one of (calm, tense)": any field's name, the type word between
    (re.compile(_IN_LIST + rf"({_NAME_WORD}[a-z_]+) (?:enum|one of|either):? \(((?:{_WORD_VALUES}, ?)+(?:or |and )?"
                rf"{_WORD_VALUES}(?:,? (?:or|and) {_WORD_VALUES})?)\)", re.IGNORECASE),
     lambda m: _one_of(m[1], re.split(r",|\bor\b|\band\b", m[2]))),
    # "status (applied, interview, offer, rejected)", not "the card type (Visa, Amex)"
    (re.compile(_IN_LIST + rf"({_NAME_WORD}\w*(?:status|state|stage|type|kind|level|priority|role|category|tier|plan"
                rf"|size|gender|mode|choice)) \(((?:{_WORD_VALUES}, ?)+(?:or |and )?{_WORD_VALUES}"
                rf"(?:,? (?:or|and) {_WORD_VALUES})?)\)", re.IGNORECASE),
     lambda m: _one_of(m[1], re.split(r",|\bor\b|\band\b", m[2]))),
    # "type single/double/suite", "service one of bath/trim/nails", "category enum canned/fresh/dry",
    # "status draft|active|delivered"
    (re.compile(_IN_LIST + rf"({_NAME_WORD}[a-z_]+) {_OPEN}{_VALUES_OPENER}({_SLASHED_VALUES}){_CLOSE}" + _ITEM_END,
                re.IGNORECASE),
     lambda m: _one_of(m[1], re.split(r"[/|]", m[3]))),
    # "rating 1-10", "score (0 to 100)", "title 1-120 chars"
    (re.compile(_IN_LIST + rf"({_NAME_WORD}[a-z_]+) {_OPEN}(-?\d+) ?(?:-|to) ?(\d+)( ?(?:characters?|chars?|letters?))?"
                rf"{_CLOSE}"
                + _ITEM_END, re.IGNORECASE),
     lambda m: f"{m[1]} must be between {m[3]} and {m[4]}" + (" characters" if m[5] else "")),
    # "duration_minutes between 15 and 120"
    (re.compile(_IN_LIST + rf"({_NAME_WORD}[a-z_]+) {_OPEN}between (-?\d+(?:\.\d+)?) and (-?\d+(?:\.\d+)?)"
                rf"( ?(?:characters?|chars?|letters?))?{_CLOSE}" + _ITEM_END, re.IGNORECASE),
     lambda m: f"{m[1]} must be between {m[3]} and {m[4]}" + (" characters" if m[5] else "")),
    # "number unique", "code (unique)"
    (re.compile(_IN_LIST + rf"([a-z_]+) {_OPEN}unique{_CLOSE}" + _ITEM_END, re.IGNORECASE),
     lambda m: f"{m[1]} must be unique"),
    # "(name, address, unique name)": the rule word before the field
    (re.compile(r"(?:(?<=[,(] )|(?<=\())unique ([a-z_]+)" + _ITEM_END, re.IGNORECASE),
     lambda m: f"{m[1]} must be unique"),
    # "price per night > 0", "age >= 18", "quantity int >= 0" (the field keeps its type word)
    (re.compile(_IN_LIST + r"([a-z_]+(?: (?:int|integer|decimal|float|double|numeric|number))?)(?: per \w+)? ?"
                r"(>=|<=|>|<) ?(-?\d+(?:\.\d+)?)" + _ITEM_END, re.IGNORECASE),
     lambda m: f"{m[1].split()[0]} must be {_COMPARISONS[m[2]]} {m[3]}"),
]


def _one_of(name: str, values: list[str]) -> str:
    values = [v.strip() for v in values if v.strip()]
    return f"{name} must be one of {', '.join(values[:-1])} or {values[-1]}"


def _spelled(text: str) -> str:
    """``text`` with common spellings unified and camelCase split (``dueDate`` -> ``due_Date``); case is kept."""
    text = _CAMEL_RE.sub(lambda m: re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", m.group(0)), text)
    for pattern, replacement in _PHRASES:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


def normalize(text: str, *, said_rules: bool = True) -> str:
    """``text`` with common spellings unified and camelCase split (``dueDate`` -> ``due_Date``); case is kept.

    ``said_rules``: the rules written beside fields in a list are said after the text (the entity parser reads
    without them: "service must be one of bath, trim or nails" names no entity "nails")."""
    return _enum_lists(_spelled(text), said_rules, {})


def rule_owners(text: str) -> dict[str, set[str]]:
    """The rules written beside a field in a list of fields, as said after the text ("email must be unique"), with
    the words the brackets they stand in follow: "Client (name, email unique)" -> {"email must be unique":
    {"client"}}. Such a rule is the fields of that entity's, not of every entity with a field of that name; a rule
    written in a list outside brackets has no owner word ("due_date and status draft/sent": set())."""
    owners: dict[str, set[str]] = {}
    _enum_lists(_spelled(text), False, owners)
    return owners


_OWNER_RE = re.compile(r"([A-Za-z][\w-]*)\s*$")


def _owner(text: str, at: int) -> str | None:
    """The word before the innermost bracket still open at ``at`` in ``text``, lower case; None outside brackets."""
    depth = 0
    for index in range(at - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                found = _OWNER_RE.search(text, 0, index)
                return found.group(1).lower().replace("-", "_") if found else None
            depth -= 1
    return None


# a field's label, a colon and its values, each a word, up to the end of the list: "category: bike, electric, other"
_LABELLED_VALUES_RE = re.compile(
    r"\b(category|type|kind|status|state|level|priority|size|colou?r|genre|tier)(?: enum)?:[ \t]*"
    r"([a-z][\w-]{0,30}(?:,[ \t]*[a-z][\w-]{0,30}){1,11})(?=,?[ \t]+and\b|[ \t]*[.;)\n]|[ \t]*$)", re.IGNORECASE)


def _enum_lists(text: str, said_rules: bool, owners: dict[str, set[str]]) -> str:
    """A field's rule written beside it in a list of fields is said after the text instead: "status (a, b, c)" is
    the field status and "status must be one of a, b or c" (the list would otherwise end the entity's fields).
    ``owners`` gets, for each rule written inside brackets, the word before them."""
    rules: list[str] = []
    text = _LABELLED_VALUES_RE.sub(r"\1 (\2)", text)  # "category: bike, electric, other" is "category (bike, ...)"

    def field_only(match: re.Match, rule, source: str) -> str:
        said = rule(match)
        rules.append(said)
        owner = _owner(source, match.start())
        owners.setdefault(said.lower(), set()).update([owner] if owner is not None else [])
        return match.group(1)

    for pattern, rule in _LIST_RULES:
        source = text
        text = pattern.sub(lambda match: field_only(match, rule, source), text)
    # "; " keeps each rule a clause of its own (the checklist's accounting splits clauses there)
    if not rules or not said_rules:
        return text
    return text.rstrip().rstrip(".") + "".join(f"; {rule}" for rule in rules) + "."


def tokenize(text: str) -> list[Token]:
    """Tokens of normalized text, lower-cased; possessives dropped, ``due-date`` -> ``due_date``."""
    text = re.sub(r"'s\b|'", " ", ascii_letters(text))
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        raw = match.group(0)
        tokens.append(Token((raw.replace("-", "_") if raw[0].isalpha() else raw).lower(), raw))
    return tokens


def correct_typo(word: str, vocabulary: list[str], *, known: frozenset[str] | set[str] = frozenset()) -> str:
    """The vocabulary word ``word`` is a likely misspelling of, else ``word``.

    Only longer, unknown, plain words are corrected, and only to a close match,
    so that names of entities and fields survive untouched.
    """
    if len(word) < 5 or not word.isalpha() or word in known or singular(word) in known:
        return word
    match = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.84)
    return match[0] if match else word
