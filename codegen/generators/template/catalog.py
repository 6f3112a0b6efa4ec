"""What the template generator knows about domains, entities and field names.

Nothing here is required for a prompt to work: an unknown entity gets
``name`` and ``description`` fields, an unknown field name is a string. The
catalog only makes terse prompts ("a todo API") give sensible projects.
"""

from __future__ import annotations

import re

# domain phrase (regex over normalized text) -> default entities, most specific first
DOMAINS: list[tuple[str, str, tuple[str, ...]]] = [
    # (pattern, title word, entities)
    (r"url shortener|link shortener|shortener", "Link Shortener", ("link",)),
    (r"bookstore|book store|bookshop", "Bookstore", ("book", "order", "customer")),
    (r"address book|contact list|contacts|crm", "Contacts", ("contact",)),
    (r"issue tracker|bug tracker|ticketing|help ?desk|support desk", "Issue Tracker", ("ticket",)),
    (r"project management|kanban", "Projects", ("project", "task")),
    (r"expense tracker|expenses?|budget\w*|personal finance", "Expenses", ("expense", "category")),
    (r"todo|task manager|task list|tasks", "Todo", ("task",)),
    # "library" the domain, not "a python library for ..." the kind of project
    (
        r"(?<!python )(?<!small )(?<!utility )(?<!helper )library"
        r"(?! (?:for|that|to|of|which|module|package|with functions))|libraries",
        "Library",
        ("book", "author", "loan"),
    ),
    (r"blog\w*", "Blog", ("post", "comment")),
    (r"recipes?|cookbook|cooking", "Recipes", ("recipe",)),
    (r"e?shop|online store|web store|ecommerce|webshop|marketplace|online shop", "Shop", ("product", "order", "customer")),
    (r"inventory|warehouse|stock management", "Inventory", ("product", "supplier")),
    (r"notes|note taking|notebook|note app", "Notes", ("note",)),
    (r"school|university|college|education|courses|lms", "School", ("student", "course")),
    (r"hospital|clinic|healthcare|medical|doctors?|patients?", "Clinic", ("patient", "doctor", "appointment")),
    (r"hotel|reservations?|bookings?", "Hotel", ("room", "booking")),
    (r"restaurant|cafe|food ordering", "Restaurant", ("menu_item", "order")),
    (r"movies?|cinema|films?", "Movies", ("movie", "review")),
    (r"music|playlists?|songs?", "Music", ("artist", "album", "song")),
    (r"events|calendar|conference|meetups?", "Events", ("event",)),
    (r"employees?|hr|payroll|staff", "Staff", ("employee", "department")),
    (r"bank\w*|wallet|finance|accounting", "Bank", ("account", "transaction")),
    (r"fitness|workouts?|gym|exercises?", "Fitness", ("workout", "exercise")),
    (r"bookmarks?", "Bookmarks", ("bookmark",)),
    (r"chat|messaging", "Chat", ("channel", "message")),
    (r"forum|q ?& ?a", "Forum", ("question", "answer")),
    (r"social network|social media", "Social", ("profile", "post", "comment")),
    (r"pets|pet store|veterinary|vet clinic", "Pets", ("pet", "owner")),
    (r"real estate|rental propert\w*|property management", "Properties", ("property", "tenant")),
    (r"car rental|fleet|vehicles?", "Fleet", ("vehicle", "rental")),
    (r"habits?", "Habits", ("habit",)),
    (r"journal|diary", "Journal", ("entry",)),
    (r"polls?|voting|survey", "Polls", ("poll", "vote")),
    (r"job board|recruit\w*|hiring|job listings?", "Jobs", ("job", "application")),
    (r"flights?|airline", "Flights", ("flight", "booking")),
    (r"sports?|league", "League", ("team", "player")),
    (r"photos?|gallery", "Gallery", ("album", "photo")),
    (r"news|articles?|magazine", "News", ("article",)),
    (r"newsletter|subscriptions?", "Newsletter", ("subscriber",)),
    (r"invoic\w*|billing", "Invoices", ("client", "invoice")),
    # not "weather": a forecast is not a table of sensor readings
    (r"sensors?|iot", "Sensors", ("sensor", "reading")),
    (r"portfolio", "Portfolio", ("project", "skill")),
]

# entity -> default fields: "name", "name?" (optional), "name:type"
ENTITY_FIELDS: dict[str, str] = {
    "book": "title author isbn published_year",
    "author": "name bio?",
    "loan": "book_id member_name loan_date due_date returned",
    "member": "name email joined_on",
    "post": "title body published",
    "comment": "post_id author text",
    "product": "name description? price stock",
    "order": "customer_id total status",
    "customer": "name email phone?",
    "order_item": "order_id product_id quantity unit_price",
    "supplier": "name email phone?",
    "task": "title description? done due_date?",
    "note": "title content",
    "contact": "name email phone",
    "recipe": "title ingredients instructions prep_minutes",
    "ingredient": "name quantity:float unit",
    "expense": "description amount category spent_on",
    "category": "name description?",
    "student": "name email enrollment_year",
    "course": "title code credits:int",
    "enrollment": "student_id course_id enrolled_on",
    "teacher": "name email subject",
    "patient": "name birth_date phone?",
    "doctor": "name specialty",
    "appointment": "patient_id doctor_id scheduled_at reason",
    "room": "number capacity price_per_night",
    "booking": "room_id guest_name check_in:date check_out:date",
    "reservation": "name party_size reserved_at",
    "guest": "name email",
    "menu_item": "name price vegetarian",
    "movie": "title director release_year rating:float",
    "review": "rating text",
    "song": "title artist duration_seconds",
    "album": "title artist release_year",
    "artist": "name country?",
    "playlist": "name description?",
    "event": "name location starts_at",
    "ticket": "title description status priority",
    "employee": "name email salary hired_on",
    "department": "name location?",
    "account": "owner balance",
    "transaction": "account_id amount description occurred_at",
    "workout": "name duration_minutes performed_on",
    "exercise": "name sets:int reps:int",
    "bookmark": "url title",
    "link": "url slug",
    "message": "sender content sent_at",
    "channel": "name topic?",
    "question": "title body",
    "answer": "question_id body accepted:bool",
    "project": "name description?",
    "issue": "title body closed",
    "user": "username email",
    "profile": "username bio?",
    "pet": "name species age",
    "owner": "name phone",
    "vehicle": "make model year",
    "rental": "vehicle_id customer_name start_date end_date",
    "property": "address price bedrooms:int",
    "tenant": "name email",
    "habit": "name frequency",
    "entry": "title content written_on",
    "poll": "question closed",
    "vote": "poll_id choice",
    "job": "title company location salary",
    "application": "job_id applicant_name email status",
    "flight": "code origin destination departs_at",
    "team": "name city",
    "player": "name position team_id",
    "photo": "url caption?",
    "article": "title body author published_on",
    "subscriber": "email name?",
    "client": "name email",
    "invoice": "code client_id amount issued_on paid",
    "item": "name description? quantity:int",
    "tag": "name",
    "city": "name country population",
    "country": "name code",
    "company": "name industry",
    "sensor": "name location",
    "reading": "sensor_id value:float recorded_at",
    "device": "name serial_number",
    "game": "title genre release_year",
    "sale": "region product amount sold_on",
    "order_line": "order_id product_id quantity",
    "lesson": "title content",
    "quiz": "title",
    "skill": "name level",
    "goal": "title target_date achieved",
    "meeting": "title starts_at location",
    "warehouse": "name location",
    "shipment": "order_id carrier shipped_on delivered",
    "payment": "invoice_id amount paid_on",
    "review_item": "rating text",
}
GENERIC_FIELDS = "name description?"

_BOOL_NAMES = frozenset(
    "done completed complete finished active enabled disabled published archived verified available paid"
    " visible hidden public private read featured approved deleted resolved closed returned checked starred"
    " favorite favourite pinned locked confirmed cancelled canceled shipped delivered in_stock vegetarian"
    " vegan accepted achieved urgent flagged sold rented online".split()
)
_BOOL_PREFIXES = ("is", "has", "can", "should", "was", "allow", "allows", "enable", "needs")
_INT_NAMES = frozenset(
    "age year count quantity qty stock pages page_count capacity priority rating stars rank level votes"
    " likes views points seats floor minutes seconds hours days duration size sets reps population"
    " bedrooms party_size enrollment_year credits calories servings week".split()
)
_INT_SUFFIXES = ("id", "count", "year", "minutes", "seconds", "hours", "days", "qty", "quantity", "number_of", "size")
_FLOAT_NAMES = frozenset(
    "price amount cost total balance salary rate weight height width length latitude longitude lat lng lon"
    " percentage percent discount tax fee budget revenue income score temperature distance gpa value"
    " unit_price price_per_night mileage speed area volume".split()
)
_FLOAT_SUFFIXES = ("price", "amount", "cost", "total", "rate", "fee", "balance", "salary", "weight", "percent", "km", "kg")
_DATE_NAMES = frozenset("date birthday birthdate dob deadline due".split())
_DATE_SUFFIXES = ("date", "day", "on", "deadline")
_DATETIME_NAMES = frozenset("timestamp datetime time".split())
_DATETIME_SUFFIXES = ("at", "timestamp", "datetime")
_DATETIME_TIMES = frozenset("start end begin finish arrival departure pickup scheduled".split())
OPTIONAL_NAMES = frozenset(
    "description notes note bio summary details remarks tags website image_url avatar_url subtitle"
    " middle_name nickname comment created_at updated_at".split()
)


def guess_type(name: str) -> str:
    """The field type a name suggests: ``due_date`` -> date, ``price`` -> float, ``is_done`` -> bool."""
    parts = name.split("_")
    last = parts[-1]
    if name in _BOOL_NAMES or (len(parts) > 1 and parts[0] in _BOOL_PREFIXES):
        return "bool"
    if name in _DATETIME_NAMES or (len(parts) > 1 and last in _DATETIME_SUFFIXES):
        return "datetime"
    if len(parts) > 1 and last == "time" and parts[0] in _DATETIME_TIMES:
        return "datetime"
    if name in _DATE_NAMES or (len(parts) > 1 and last in _DATE_SUFFIXES):
        return "date"
    if name in _FLOAT_NAMES or (len(parts) > 1 and last in _FLOAT_SUFFIXES):
        return "float"
    if name in _INT_NAMES or (len(parts) > 1 and (last in _INT_SUFFIXES or name.startswith(("num_", "number_of_")))):
        return "int"
    return "str"


TYPE_WORDS = {
    "string": "str", "str": "str", "text": "str", "varchar": "str", "char": "str",
    "int": "int", "integer": "int", "whole": "int",
    "float": "float", "double": "float", "decimal": "float", "number": "float", "numeric": "float",
    "real": "float", "money": "float", "currency": "float",
    "bool": "bool", "boolean": "bool", "flag": "bool", "checkbox": "bool", "yes/no": "bool",
    "date": "date", "day": "date",
    "datetime": "datetime", "timestamp": "datetime",
}


def parse_field_list(spec: str) -> list[tuple[str, str, bool]]:
    """``"title author? year:int"`` -> ``[(name, type, required), ...]``."""
    fields = []
    for item in spec.split():
        required = not item.endswith("?")
        item = item.rstrip("?")
        name, _, explicit = item.partition(":")
        field_type = explicit or guess_type(name)
        fields.append((name, field_type, required and field_type != "bool" and name not in OPTIONAL_NAMES))
    return fields


def default_fields(entity: str) -> list[tuple[str, str, bool]]:
    return parse_field_list(ENTITY_FIELDS.get(entity, GENERIC_FIELDS))


def find_domain(text: str) -> tuple[str, tuple[str, ...], int] | None:
    """The earliest domain named in ``text``: (title word, default entities, position)."""
    best = None
    for pattern, word, entities in DOMAINS:
        match = re.search(rf"\b(?:{pattern})\b", text)
        if match and (best is None or match.start() < best[2]):
            best = (word, entities, match.start())
    return best
