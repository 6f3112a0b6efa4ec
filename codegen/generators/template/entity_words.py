"""The words the entity parser reads by: what opens a list, what ends a name, what is never an entity."""

from __future__ import annotations

import re

# words that open a list of entities
LIST_TRIGGERS = frozenset(
    "with for manage manages managing track tracks tracking store stores storing handle handles handling"
    " of containing contains including include includes entities resources models tables collections"
    " objects crud like featuring covering about between endpoints routes supports support supporting"
    " records organize organizes organizing list lists listing keep keeps catalog catalogue catalogs : plus".split()
)
# words that attach a field list to the entity before them
FIELD_OPENERS = frozenset(
    "with having containing including has have contain contains include includes need needs require requires".split()
)
RELATIVE = frozenset("that which who where each every".split())
# what a command line is made of: the list after them names commands or options, never fields
NOT_FIELD_LISTS = frozenset("subcommands subcommand commands command options flags arguments args switches".split())
AUX = frozenset("should must will can may could would shall".split())
SEPARATORS = frozenset(", and or & / plus".split())
TERMINATOR_WORDS = frozenset(
    "that which who whom whose where when while if so using use uses used via in on to into from by at as is are"
    " was were be been being should must will can could would may might shall do does did has have having"
    " with without for per than then also but because since until unless into onto over under through"
    " it they them their its this these those there here what how why"
    # verbs that end a list of names: "columns date and amount and computes the total"
    " compute computes calculate calculates return returns output outputs print prints write writes read reads"
    " show shows display displays generate generates export exports save saves send sends produce produces"
    " find finds summarize summarizes aggregate aggregates"
    # "birth date not in the future": a rule follows the name
    " not never"
    # verbs of relation and type words end a name: "games belong to a member", "line items referencing products",
    # "genre enum (drama, comedy)" name games, line items and genre, never "games_belong" or "genre_enum"
    " belong belongs belonging reference references referencing refer refers referring enum".split()
)
# verbs of relation: the words before them are the subject of a relation, not a field of the entity listed before
RELATION_VERBS = frozenset("belong belongs belonging reference references referencing refer refers referring".split())
TERMINATOR_TOKENS = frozenset({".", ";", "!", "?", "\n", "(", ")", ":", "[", "]", "{", "}"})
# leading words of a list item that are not part of the name
MODIFIERS = frozenset(
    "a an the some any all each every basic simple multiple several various different their its his her my"
    " our your new existing optional required mandatory full complete crud unique own individual related"
    " many few one two three four five more other proper custom short long".split()
)
# plural words that are never entities of a generated project
NON_ENTITIES = frozenset(
    "apis endpoints routes tests requirements features operations details fields columns attributes properties"
    " things options settings errors responses requests methods functions results values types docs"
    " instructions lists updates changes params parameters queries headers tokens passwords credentials"
    " permissions levels steps pages numbers words lines characters strings bytes seconds minutes hours"
    " days weeks months years times dates developers libraries modules packages frameworks"
    " tools scripts apps applications services servers databases tables models resources entities records"
    " objects collections rows files folders directories inputs outputs arguments args commands"
    " subcommands flags users people crud basics needs goals ways kinds sorts lots tons examples"
    " validations checks logs metrics status statuses uses means others ones abilities capabilities"
    " relationships relations links_to timestamps ids operations endpoints_for web forms buttons"
    # measures of a record, never records of their own ("vegetables with quantities", "line items and prices")
    " quantities amounts prices totals counts weights dimensions".split()
)
# plural words that are entities in a list even though they are generic elsewhere
LIST_ONLY_ENTITIES = frozenset("users people records files links".split())
FIELD_NOISE = frozenset("field fields column columns attribute attributes property properties value values".split())
OPTIONAL_WORDS = frozenset("optional nullable".split())
# a list item whose first words are these is a feature, not an entity
FEATURE_WORDS = frozenset(
    "auth authentication authorization login signin signup jwt token tokens pagination paging search"
    " searching filtering filter filters sorting sort validation tests testing docs documentation logging"
    " sqlite database db persistence memory error errors handling crud support cors docker rate limiting"
    " caching cache oauth oauth2 password passwords registration".split()
)
FEATURE_RE = re.compile(
    r"auth(?:n|z|entication|enticated|enticate|orization|orisation|orized)?|log(?:in|on)s?|sign(?:in|up)s?"
    r"|paginat\w*|search\w*|sort\w*|filter\w*|token\w*"
)


def is_feature(word: str) -> bool:
    """Words naming a feature rather than an entity ("pagination", "authenticated", "searchable")."""
    return word in FEATURE_WORDS or bool(FEATURE_RE.fullmatch(word))


AUTH_PHRASES = frozenset(
    "user_accounts user_account user_logins user_sessions user_registration accounts_and_login".split()
)
# "an expense tracker", "a movie database": the word before names what is kept
TRACKER_WORDS = frozenset(
    "tracker trackers manager managers database db catalog catalogue registry log logger planner organizer api app cli"
    " service backend system".split()
)
KIND_WORDS = frozenset("api rest restful app application service backend server cli tool manager tracker list".split())
DROPPED_PREFIXES = frozenset("blog library shop store online web todo api rest".split())
# generic plurals that a noun before them makes records: "job applications", "leave requests", "price changes"
QUALIFIED_HEADS = frozenset("applications requests changes updates records results".split())
NOT_QUALIFIERS = frozenset(
    "web http https api rest get post put patch delete ajax network incoming outgoing json xml mobile desktop"
    " python flask fastapi aiohttp django node express react vue page app these those such".split()
)
# verbs of what an object does, never a field of it: "a bank account with deposit, withdraw and balance"
METHOD_VERBS = frozenset(
    "deposit withdraw transfer push pop peek enqueue dequeue insert delete remove append prepend reverse undo redo"
    " borrow lend subscribe unsubscribe login logout send receive rotate".split()
)
# generic plurals that stay no entity even listed with fields of their own ("endpoints (GET, POST)")
NEVER_RECORDS = frozenset(
    "apis endpoints routes tests fields columns attributes properties details options settings requirements"
    " features params parameters headers methods functions operations steps pages".split()
)
# a label before a colon: what follows is a list of entities, never fields of the label
LABEL_WORDS = frozenset(
    "entities entity resources resource models model tables table collections objects records data"
    " company companies business agency firm organization organisation startup".split()
)
# names of technology written with a note in brackets ("Flask (python)", "PostgreSQL (or SQLite)"): no records
NOT_RECORD_NAMES = frozenset(
    "python java javascript typescript go rust ruby php node nodejs flask fastapi aiohttp django express spring"
    " rails laravel sqlite postgres postgresql mysql mariadb mongodb mongo redis docker kubernetes react vue"
    " angular svelte html css json xml yaml csv api rest http https jwt oauth".split()
)
# the first word of a list item that is something a user does, not a kind of record ("add people, add expenses")
DOING_VERBS = frozenset("add edit delete remove create update view show list see mark set get make".split())
# what people put in with a list of what it holds: "members post finds with species and date" (entities._posted);
# not "share", whose "with" names whom: "share playlists with friends"
POSTING_VERBS = frozenset(
    "post posts submit submits upload uploads log logs add adds report reports record enter enters"
    " publish publishes".split()
)
# mass nouns that name no kind of record: "store data as JSON", "save the info"
MASS_NOUNS = frozenset("data info information stuff content".split())
# who a program serves, after "for" that follows anything but a kind of project: "a rental program for kids"
AUDIENCE_WORDS = frozenset(
    "kids children teens teenagers adults seniors families parents beginners toddlers babies women men"
    " neighbors neighbours locals tourists residents everyone".split()
)
# heads that a qualifier makes names of something else than records: "admin and parent roles" are roles of auth
QUALIFIED_NON_RECORDS = frozenset("roles".split())
# a singular noun of a container after the records it holds: "an appointment book" is no book
CONTAINER_NOUNS = frozenset("book diary journal ledger register logbook notebook calendar".split())
# words of a limit before a number: "can have max 3 loans" names no field "max"
LIMIT_WORDS = frozenset("max min maximum minimum up".split())
# the first word of a list item that is an operation on data, not a column: "trim whitespace, normalize phones"
OPERATION_VERBS = frozenset(
    "trim strip normalize normalise drop remove convert fix validate dedupe deduplicate split replace lowercase"
    " uppercase standardize standardise clean parse merge capitalize capitalise".split()
)
# an organisation named after its members: "a beekeepers' association" is the association, no records "beekeepers"
ORGANISATION_NOUNS = frozenset(
    "association associations guild guilds club clubs society societies union unions league leagues group groups"
    " team teams council councils cooperative cooperatives coop co-op collective collectives network networks"
    " circle circles federation alliance community fellowship chapter syndicate brotherhood sisterhood".split()
)
# adjectives of a rule before records: "no overlapping bookings", "overdue loans" name the bookings and loans
RULE_ADJECTIVES = frozenset(
    "no overlapping overlapped conflicting clashing duplicate duplicated double late overdue expired expiring missing"
    " upcoming queued pending outstanding unpaid unread stale invalid".split()
)
# what a page is, before "for": "a React page for our route setters showing ..." serves the setters, keeps no setters
PAGE_WORDS = frozenset(
    "page pages component components screen screens view views dashboard widget form ui frontend front-end site"
    " website webpage spa grid table board gallery".split()
)
# how a page shows records: "a grid of routes with hold color and grade" is the routes with those fields, even a
# word that names no records elsewhere ("routes"); the view itself is no field of what stands before it
VIEW_NOUNS = frozenset(
    "grid table list board gallery feed carousel kanban timeline calendar catalog catalogue overview wall map".split()
)
# a field's label before a colon and its values, in a few languages: "(category: bikes, electric, other)" lists the
# category's choices, never records
CHOICE_LABELS = frozenset(
    "category categories categoria categorias categorie categorieen kategorie kategorien kategori type types tipo tipos"
    " typ typen soort soorten typus status estado estados stato statut etat state states stage kind kinds genre genres"
    " level levels nivel niveau livello priority prioridad priorita prioriteit role roles size sizes maat talla taille"
    " color colour colors colours kleur colore couleur mode modes gender".split()
)
