"""The text the entity parser reads: a prompt without the words that look like entities and are not.

- an HTTP method before a path ("POST /appointments") is a route's method, never an entity "posts";
- what follows "return 400 with" / "respond with a 422 and" is a response, never an entity
  ("per-field messages", "error details");
- a possessive "X's Y" is Y of X: "their org's events" names events, not an entity "org events";
- a word of behaviour or layout before a noun ("drag and drop shelves") is not part of its name;
- a verb of keeping records before the records a list item names ("add/edit/delete cards", "add people, add
  expenses") is what is done to them, never part of their name;
- "a list of tags" inside an entity's parenthesised field list is a field of that entity, not a resource;
- a plural possessive names the owners unless what they own is plural too: "my houseplants' watering schedule"
  is the houseplants, "the members' loans" the loans; but an organisation after it is named by its members, who
  are no records ("a beekeepers' association" is the association);
- "where I can add dogs and their owners": what a user can add are records, as what they keep;
- a foreign key written with its target ("owner FK Member") is one field, ``owner_id``;
- what people log in with ("log in with session cookies", "sign in using magic links") is how, never records;
- how records are shown ("single origins as cards (origin, process)") is no records: the fields are theirs.
"""

from __future__ import annotations

import re

from codegen.generators.template.entity_words import ORGANISATION_NOUNS

_METHOD_RE = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(?=/)", re.IGNORECASE)
# "return 400 with per-field messages", "respond with a 404 and an error body", "returns HTTP 409 listing the fields"
_STATUS_RE = re.compile(
    r"\b(?:return|returns|returning|respond|responds|responding|reply|replies|answer|answers|fail|fails)"
    r"(?: with)?(?: an?| the)?(?: http| status(?: code)?)? [1-5]\d\d\b[^.;,\n]*",
    re.IGNORECASE,
)
_POSSESSIVE_RE = re.compile(r"(?<![\w-])([A-Za-z][\w-]*)'s\s+([A-Za-z][\w-]*)")
# behaviour and layout words before a noun ("drag and drop shelves", "a masonry gallery"): the noun is the name
_BEHAVIOUR_RE = re.compile(r"\b(?:drag(?:ging)? (?:and|&|n) drop(?:pable)?|draggable|masonry|sortable)\b", re.IGNORECASE)
_RECORD_VERB = r"(?:add|create|edit|update|delete|remove|rename|archive|move)"
# "add/edit/delete cards": the cards; ", add expenses": the expenses (an item of a list, the verb first)
_VERBS_RE = re.compile(rf"\b{_RECORD_VERB}(?:\s*/\s*{_RECORD_VERB})+\s+(?=[a-z])"
                       rf"|(?:(?<=[,:;])|(?<=\band)|(?<=\bthen))\s+{_RECORD_VERB}\s+(?=[a-z])", re.IGNORECASE)
_PLURAL_POSSESSIVE_RE = re.compile(r"(?<![\w-])([A-Za-z][\w-]*s)'\s+(?:[a-z]+ing\s+)?([a-z][\w-]*)")
_LOG_IN_WITH_RE = re.compile(r"\b(?:(?:log|sign)(?:s|ged|ging)?\s*(?:in|on)|authenticat\w*)\s+(?:with|using|via|through)"
                             r"(?:\s+(?!and\b|or\b|to\b|then\b)[\w-]+){1,2}", re.IGNORECASE)
_CAN_ADD_RE = re.compile(r"\b(can|could|to|will|should)\s+(?:add|register|enter|record|log)\s+(?=[a-z])", re.IGNORECASE)
# "owner FK Member", "winner foreign key to Player": the field owner_id (foreign_keys.py links it to members)
_FOREIGN_KEY_RE = re.compile(r"\b([A-Za-z]\w*)\s+(?:FK|fk|[Ff]oreign [Kk]ey)\s+(?:(?:to|references?|on)\s+|->\s*)?"
                             r"(?!(?:and|or|not|to|unique|required|optional|nullable|int|integer|with)\b)[A-Za-z]\w*")
_LIST_OF_RE = re.compile(r"\b(?:an? )?(?:list|array|set|collection) of (?=[a-z])", re.IGNORECASE)
# "single origins as cards (origin, process)": how records are shown, before their fields, names no records
_SHOWN_AS_RE = re.compile(r"(?<!\s)\s+(?:shown |displayed )?as (?:a |an )?(?:cards?|tiles?|rows?|boxes|a grid|a list|a table)"
                          r"(?=\s*\()", re.IGNORECASE)


def for_entities(text: str) -> str:
    """``text`` as the entity parser should read it."""
    text = _METHOD_RE.sub("", text)
    text = _SHOWN_AS_RE.sub(" ", text)
    text = _FOREIGN_KEY_RE.sub(_link_field, text)
    text = _BEHAVIOUR_RE.sub("", text)
    text = _VERBS_RE.sub(" ", text)
    text = _STATUS_RE.sub(" ", text)
    text = _POSSESSIVE_RE.sub(r"\2", text)
    text = _PLURAL_POSSESSIVE_RE.sub(_plural_possessive, text)
    text = _LOG_IN_WITH_RE.sub(" log in ", text)
    text = _CAN_ADD_RE.sub(r"\1 keep ", text)
    return re.sub(r"\([^()]*\)", lambda m: _LIST_OF_RE.sub("", m.group(0)), text)


def _link_field(match: re.Match[str]) -> str:
    name = match.group(1)
    return name if name.lower() == "id" or name.lower().endswith("_id") else f"{name}_id"


def _plural_possessive(match: re.Match[str]) -> str:
    owned = match.group(2)
    if owned.lower() in ORGANISATION_NOUNS:  # "a beekeepers' association": the association, named by its members
        return owned
    return owned if owned.endswith("s") and not owned.endswith("ss") else match.group(1)
