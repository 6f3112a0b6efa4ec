"""The words a follow-up is read with: verbs, connectors, filler, and what qualifies a setting."""

ADD_VERBS = frozenset(
    "add adds adding create include introduce support enable implement allow require protect need needs want"
    " give provide expose offer have has get".split()
)
REMOVE_VERBS = frozenset("remove delete drop disable exclude eliminate without".split())
RENAME_VERBS = frozenset(["rename"])
LINK_VERBS = frozenset("link links connect relate associate attach belong belongs".split())
CHANGE_VERBS = frozenset("make change set convert switch use move port migrate rewrite mark turn".split())
VERBS = ADD_VERBS | REMOVE_VERBS | RENAME_VERBS | CHANGE_VERBS | LINK_VERBS
CLAUSE_ENDS = frozenset({".", ";", "!", "?", "\n"})
CONNECTORS = frozenset(", and then also please plus next finally".split())
FILLER = frozenset(
    "a an the it its this that please i we you can could would should must will now also let us me my our"
    " new all each every their to be is are so like able d ll want wish possible allow allows let lets"
    " also just only".split()
)
# words naming "the project itself" in a rename
PROJECT_WORDS = frozenset("project app application api tool cli library page site script package it".split())
ENTITY_NOISE = frozenset(
    "resource resources entity entities model models endpoint endpoints table tables collection collections"
    " crud route routes api called named type types kind new object objects".split()
)
TARGET_PREPOSITIONS = frozenset("to on for in into of from".split())
REQUIREDNESS = {"optional": False, "nullable": False, "required": True, "mandatory": True}
# words that only qualify a feature, framework or store ("token based auth on all task endpoints")
SETTING_CONTEXT = frozenset(
    "to on for in into of from by with and or the a an all every each list lists results result items endpoint"
    " endpoints route routes api user users token tokens based access bearer key keys protected support basic"
    " simple query parameter parameters page pages size store stores storing data persist persistence save"
    " storage database db instead framework server web app it them using use via memory sqlite file dict".split()
)
PHRASES = [
    (r"\bget rid of\b", "remove"),
    (r"\bturn on\b", "enable"),
    (r"\bturn off\b", "disable"),
    (r"\bswitch (?:over )?to\b", "use"),
    (r"\bno longer need\b", "remove"),
    (r"\bdo not need\b|\bdon'?t need\b", "remove"),
]

