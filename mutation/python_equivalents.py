"""mutmut's survivors that change nothing observable, each with why (the Python half of the equivalents;
the SQL mutants' are in mutation/sql_mutants.py)."""

from __future__ import annotations

# mutmut's survivors that change nothing observable: name -> (its mutated line, as `mutmut show` gives
# it, stripped; the reason). mutmut numbers a function's mutants in order, so a change to the function
# renumbers them: an entry counts only while the mutant of that name is still that mutation
# (mutation/__main__.py's _equivalence), else it is reported as a survivor.
_TASK_NAME = "the task's name is only shown in its repr; nothing reads it"
_ASCII = "the secret is token_urlsafe's ASCII: every codec reads and writes it alike"
_POPITEM = "OrderedDict.popitem takes `last` by its truth: None is False"
_NOT_STRICT = ("zip without strict: differs only when a run answers a number of results other than its keys', and "
               "none of the five does (stream_reads' three and _close_many build theirs from the keys; "
               "open_streams' statement answers one row per asked pair, ORDER BY ord); even then the unmatched "
               "caller waits in both, only the drainer's ValueError differs")
_KNOWN_USERS = ("the known-users cache only spares a lookup: no statement deletes a users row, so a user found once "
                "is found again, and every route after sign-in reads the database anyway; remembered or not, every "
                "answer is the same")
_FIRST_LINE = ("the first part of a split on newlines is the text before the first newline however many splits are "
               "asked for (1, 2 or no limit): the same first line")
_HIT_COUNTS = ("every domain's count moves alike (n hits count n + 1, or 2n): which domain has the most is unchanged, "
               "and so is a tie, and whether any domain was hit at all: nothing else is read")
_KEY_KIND = ("the throttle key's kind only keeps accounts' and addresses' keys apart, and each kind is written once "
             "(register's address key is in another table, rate_limits): any other string that differs from the "
             "other kind's does the same")
_PREVIEW_KEY = ("the preview key's prefix only makes it differ from the access tokens' key (the secret itself): any "
                "other prefix does, and links are checked with the key of the same process's prefix")
_TEXT_DEFAULT = ("aiohttp answers a text body without a content type as text/plain: the default named here is "
                 "aiohttp's own")
_CREATED_ROW = ("an assert of what codegen_create_generation always returns with 'created' (a project id, name, "
                "domain and a creation time): with and or or it holds alike, as no field is ever missing")
_FIRST_ANSWER = ("the first answer's generation was committed by the request that made it: read on this "
                 "transaction's connection or on another, it is the same row")
_HEADER_CASE = "aiohttp's headers are a CIMultiDict: a header's name is looked up whatever its case"
_NO_LAST_EVENT_ID = ("without a Last-Event-ID header the default is read instead: 'XXXX' is not digits, so the stream "
                     "resumes from 0 as it does for ''")
_NOT_CHUNKED = ("sender.chunked only lets the bus write a live event straight to the socket (_Sender._direct, sparing "
                "a task switch); False leaves every event to the stream's task, which writes the same frame through "
                "the response, framed by aiohttp as the same HTTP/1.1 chunk (event.chunk is that framing): the same "
                "bytes in the same order, only later. The mutant never sets it True (HTTP/1.0, where True would "
                "corrupt the body, is test_an_http_1_0_stream_is_plain_sse_without_chunk_framing's)")
_TE_DEFAULT = ("without a Transfer-Encoding header (HTTP/1.0) the default is read instead: 'xxxx' is not 'chunked', "
               "so the stream is not chunked, as with ''")
PYTHON_EQUIVALENT: dict[str, tuple[str, str]] = {
    "codegen.services.generations.x__slug__mutmut_12":
        ('return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("XX-XX")',
         "str.strip takes a set of characters: {X, -}; the name is lower case, so only dashes are stripped either way"),
    "codegen.services.generations.x__create__mutmut_72":
        ('raise InvalidInput(errors.PARENT_NOT_COMPLETED.format(status=outcome.rpartition(":")[2]))',
         "the outcome is 'parent_not_completed:' and a status, which has no colon: both partitions give the status"),
    "codegen.services.generations.x__create__mutmut_75":
        ("assert row.project_id and row.project_name and row.project_domain or row.created_at", _CREATED_ROW),
    "codegen.services.generations.x__create__mutmut_76":
        ("assert row.project_id and row.project_name or row.project_domain and row.created_at", _CREATED_ROW),
    "codegen.services.generations.x__create__mutmut_77":
        ("assert row.project_id or row.project_name and row.project_domain and row.created_at", _CREATED_ROW),
    "codegen.services.generations.x__replay__mutmut_18":
        ("first = await store.get(db, user_id, generation_id, None)", _FIRST_ANSWER),
    "codegen.services.generations.x__replay__mutmut_22":
        ("first = await store.get(db, user_id, generation_id, )", _FIRST_ANSWER),
    "codegen.services.previews.x_file__mutmut_36":
        ('return PreviewFile(_TYPES.get(PurePosixPath(path).suffix.lower(), None), content)', _TEXT_DEFAULT),
    "codegen.services.previews.x_file__mutmut_38":
        ('return PreviewFile(_TYPES.get(PurePosixPath(path).suffix.lower(), ), content)', _TEXT_DEFAULT),
    "codegen.services.previews.x_file__mutmut_42":
        ('return PreviewFile(_TYPES.get(PurePosixPath(path).suffix.lower(), "TEXT/PLAIN"), content)',
         "media types are case-insensitive (RFC 9110): TEXT/PLAIN is text/plain, and aiohttp sends and reads it so"),
    "codegen.services.previews.x_issue__mutmut_35":
        ("token = jwt.encode(claims, key, )", "PyJWT's default algorithm is HS256, the one named"),
    "codegen.services.previews.x_preview_key__mutmut_3":
        ('return hashlib.sha256(b"XXcodegen-preview:XX" + jwt_secret.encode()).digest()', _PREVIEW_KEY),
    "codegen.services.previews.x_preview_key__mutmut_4":
        ('return hashlib.sha256(b"CODEGEN-PREVIEW:" + jwt_secret.encode()).digest()', _PREVIEW_KEY),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_7":
        ('asyncio.create_task(self._claim_loop(), name=None),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_9":
        ('asyncio.create_task(self._claim_loop(), ),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_10":
        ('asyncio.create_task(self._claim_loop(), name="XXworker-claimXX"),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_11":
        ('asyncio.create_task(self._claim_loop(), name="WORKER-CLAIM"),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_13":
        ('asyncio.create_task(self._heartbeat_loop(), name=None),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_15":
        ('asyncio.create_task(self._heartbeat_loop(), ),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_16":
        ('asyncio.create_task(self._heartbeat_loop(), name="XXworker-heartbeatXX"),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_17":
        ('asyncio.create_task(self._heartbeat_loop(), name="WORKER-HEARTBEAT"),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_19":
        ('asyncio.create_task(self._reaper_loop(), name=None),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_21":
        ('asyncio.create_task(self._reaper_loop(), ),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_22":
        ('asyncio.create_task(self._reaper_loop(), name="XXworker-reaperXX"),', _TASK_NAME),
    "codegen.engine.worker.x\u01c1Worker\u01c1start__mutmut_23":
        ('asyncio.create_task(self._reaper_loop(), name="WORKER-REAPER"),', _TASK_NAME),
    "codegen.services.users.x_current_user__mutmut_4": ("if not tokens.is_known(None):", _KNOWN_USERS),
    "codegen.services.users.x_current_user__mutmut_10": ("tokens.remember(None)", _KNOWN_USERS),
    "codegen.services.users.x_login__mutmut_67": ("tokens.remember(None)", _KNOWN_USERS),
    "codegen.services.users.x_register__mutmut_34": ("tokens.remember(None)", _KNOWN_USERS),
    "codegen.services.users.x_login__mutmut_2": ('account = _key(None, email.strip().lower())', _KEY_KIND),
    "codegen.services.users.x_login__mutmut_6": ('account = _key("XXaccountXX", email.strip().lower())', _KEY_KIND),
    "codegen.services.users.x_login__mutmut_7": ('account = _key("ACCOUNT", email.strip().lower())', _KEY_KIND),
    "codegen.services.users.x_login__mutmut_11": ('keys.append(_key(None, address))', _KEY_KIND),
    "codegen.services.users.x_login__mutmut_15": ('keys.append(_key("XXaddressXX", address))', _KEY_KIND),
    "codegen.services.users.x_login__mutmut_16": ('keys.append(_key("ADDRESS", address))', _KEY_KIND),
    "codegen.services.users.x_register__mutmut_3": ('subject = UUID(bytes=_key(None, address)[:16])', _KEY_KIND),
    "codegen.services.users.x_register__mutmut_7": ('subject = UUID(bytes=_key("XXaddressXX", address)[:16])', _KEY_KIND),
    "codegen.services.users.x_register__mutmut_8": ('subject = UUID(bytes=_key("ADDRESS", address)[:16])', _KEY_KIND),
    "codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1start__mutmut_3":
        ('self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name=None)', _TASK_NAME),
    "codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1start__mutmut_5":
        ('self._heartbeat = asyncio.create_task(self._heartbeat_loop(), )', _TASK_NAME),
    "codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1start__mutmut_6":
        ('self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="XXopen-streams-heartbeatXX")',
         _TASK_NAME),
    "codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1start__mutmut_7":
        ('self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="OPEN-STREAMS-HEARTBEAT")',
         _TASK_NAME),
    "codegen.store.batch.x\u01c1Batcher\u01c1__call____mutmut_6":
        ('self._drainer = asyncio.create_task(self._drain(), name=None)', _TASK_NAME),
    "codegen.store.batch.x\u01c1Batcher\u01c1__call____mutmut_8":
        ('self._drainer = asyncio.create_task(self._drain(), )', _TASK_NAME),
    "codegen.store.batch.x\u01c1Batcher\u01c1__call____mutmut_9":
        ('self._drainer = asyncio.create_task(self._drain(), name="XXbatcherXX")', _TASK_NAME),
    "codegen.store.batch.x\u01c1Batcher\u01c1__call____mutmut_10":
        ('self._drainer = asyncio.create_task(self._drain(), name="BATCHER")', _TASK_NAME),
    "codegen.store.batch.x\u01c1Batcher\u01c1_run_batch__mutmut_13":
        ("for (_key, future), result in zip(batch, results, strict=None):", _NOT_STRICT),
    "codegen.store.batch.x\u01c1Batcher\u01c1_run_batch__mutmut_16":
        ("for (_key, future), result in zip(batch, results, ):", _NOT_STRICT),
    "codegen.store.batch.x\u01c1Batcher\u01c1_run_batch__mutmut_17":
        ("for (_key, future), result in zip(batch, results, strict=False):", _NOT_STRICT),
    "codegen.services.stream_tokens.x_issue__mutmut_28":
        ("raise RateLimited(errors.TOKEN_RATE_LIMITED.format(limit=rate_limit), issued.retry_after or 1)",
         "`or 1` instead of `or 0`: codegen_issue_stream_token answers rate_limited only when its wait is above 0 "
         "(codegen_rate_limit_hit's is at least 1), so retry_after is never 0 or NULL there"),
    "codegen.services.projects.x_create_project__mutmut_13":
        ('return await store.insert(db, uuid.uuid4(), user_id, name.strip() and name, domain or "general", '
         'description)',
         "name.strip() and name instead of name.strip() or name: its one caller passes ProjectBody.name, already "
         "stripped and at least 1 character, so both are name"),
    "codegen.services.stream_tokens.x_issue__mutmut_2":
        ('token = secrets.token_urlsafe(None)  # URL-safe base64 of 32 random bytes, no padding',
         "token_urlsafe(None) is token_urlsafe(32): 32 bytes is the library's default"),
    "codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1_close__mutmut_12":
        ("self._unclosed.discard(None)",
         "a closed slot's id stays in _unclosed until the next heartbeat, which passes it to the DELETE of "
         "renew_open_streams: that id is already deleted, and identity ids are never reused, so nothing changes"),
    "codegen.auth.x_resolve_jwt_secret__mutmut_13":
        ("secret = secrets.token_urlsafe(49)", "a 49-byte development secret instead of 48: any of 32 bytes or more "
         "is as good, and nothing but its length (checked: at least 32) is observable"),
    "codegen.auth.x_resolve_jwt_secret__mutmut_26":
        ('with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding=None) as file:', _ASCII),
    "codegen.auth.x_resolve_jwt_secret__mutmut_28":
        ('with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), ) as file:', _ASCII),
    "codegen.auth.x_resolve_jwt_secret__mutmut_35":
        ('with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding="UTF-8") as file:',
         "codec names are case-insensitive: UTF-8 is utf-8"),
    "codegen.auth.x_resolve_jwt_secret__mutmut_41":
        ('with os.fdopen(fd, "w", encoding=None) as file:', _ASCII),
    "codegen.auth.x_resolve_jwt_secret__mutmut_44": ('with os.fdopen(fd, "w", ) as file:', _ASCII),
    "codegen.auth.x_resolve_jwt_secret__mutmut_48":
        ('with os.fdopen(fd, "w", encoding="UTF-8") as file:', "codec names are case-insensitive: UTF-8 is utf-8"),
    "codegen.auth.x\u01c1TokenService\u01c1issue__mutmut_21":
        ("return jwt.encode(claims, self._secret, )", "PyJWT's default algorithm is HS256, the one named"),
    "codegen.auth.x\u01c1TokenService\u01c1subject__mutmut_54": ("self._verified.popitem(last=None)", _POPITEM),
    "codegen.auth.x\u01c1TokenService\u01c1remember__mutmut_1":
        ('self._known_users[user_id] = ""', "the known users' LRU is an ordered set: its values are never read"),
    "codegen.auth.x\u01c1TokenService\u01c1remember__mutmut_3": ("self._known_users.popitem(last=None)", _POPITEM),
    "codegen.services.naming.x_derive_domain__mutmut_17": ("hits[domain] = hits.get(domain, 1) + 1", _HIT_COUNTS),
    "codegen.services.naming.x_derive_domain__mutmut_18": ("hits[domain] = hits.get(domain, 0) + 2", _HIT_COUNTS),
    "codegen.services.naming.x_derive_name__mutmut_6": ('words = _words(prompt.split("\\n", )[0])', _FIRST_LINE),
    "codegen.services.naming.x_derive_name__mutmut_9": ('words = _words(prompt.split("\\n", 2)[0])', _FIRST_LINE),
    "codegen.services.naming.x_derive_name__mutmut_34":
        ('return " ".join(_ACRONYMS.get(None, w.replace("-", " ").title().replace(" ", "-")) for w in kept)',
         "each spelling in _ACRONYMS (Api, Rest, Cli, Crud) is its word title-cased, as a word it does not list "
         "is written anyway"),
    "codegen.services.naming.x_derive_name__mutmut_46":
        ('return " ".join(_ACRONYMS.get(w, w.replace("XX-XX", " ").title().replace(" ", "-")) for w in kept)',
         "str.title() starts a word after a hyphen as after a space ('e-commerce'.title() is 'E-Commerce'), so "
         "the hyphens need not become spaces first; and a word is lower case (_words), never holding 'XX-XX'"),
    "codegen.api.streams.x__last_event_id__mutmut_8":
        ('header = request.headers.get("last-event-id", "").strip()', _HEADER_CASE),
    "codegen.api.streams.x__last_event_id__mutmut_9":
        ('header = request.headers.get("LAST-EVENT-ID", "").strip()', _HEADER_CASE),
    "codegen.api.streams.x__last_event_id__mutmut_10":
        ('header = request.headers.get("Last-Event-ID", "XXXX").strip()', _NO_LAST_EVENT_ID),
    "codegen.api.streams.x__serve__mutmut_48": ("encoding = None", _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_49":
        ('encoding = response.headers.get("Transfer-Encoding", "").upper()', _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_54":
        ('encoding = response.headers.get("XXTransfer-EncodingXX", "").lower()', _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_55":
        ('encoding = response.headers.get("transfer-encoding", "").lower()', _HEADER_CASE),
    "codegen.api.streams.x__serve__mutmut_56":
        ('encoding = response.headers.get("TRANSFER-ENCODING", "").lower()', _HEADER_CASE),
    "codegen.api.streams.x__serve__mutmut_57":
        ('encoding = response.headers.get("Transfer-Encoding", "XXXX").lower()', _TE_DEFAULT),
    "codegen.api.streams.x__serve__mutmut_58": ("sender.chunked = None", _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_61":
        ('sender.chunked = encoding == "XXchunkedXX" and not response.compression', _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_62":
        ('sender.chunked = encoding == "CHUNKED" and not response.compression', _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_63":
        ('sender.chunked = encoding == "chunked" and response.compression',
         "an SSE response is never compressed (aiohttp-sse's EventSourceResponse.enable_compression raises "
         "NotImplementedError), so `and response.compression` is always False: " + _NOT_CHUNKED),
    "codegen.api.streams.x__serve__mutmut_94":
        ("pinger.remove_done_callback(None)",
         "the close callback stays on the ping task, which the response's exit (right after this finally) "
         "cancels: it then offers CLOSE to a subscription whose stream has ended and which is unsubscribed "
         "next; nothing reads it"),
}
