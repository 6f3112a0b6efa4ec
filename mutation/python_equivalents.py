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
_UNREACHED_LOG = ("the log line of a branch only a bug of ours reaches (`pragma: no cover`: what the loop meets on its "
                  "own is transient and takes the branch before it); it changes only that line, and no run writes it")
_LOOP_INTERVAL = ("only how often the loop runs changes (a lease is still renewed well within it, an expired one still "
                  "taken back, a little sooner or later): no outcome differs, and a test may not time it (the project "
                  "allows no timed assertions)")
_FINISHED_TRUTH = "finished is only read by its truth (`while not`, `and not`): None is falsy, as False is"
_SNAPSHOT_STATUS = ("_serve sets sender.status to the snapshot's right after making the sender, before anything reads "
                    "it")
_CHUNKED_SET = ("_serve sets sender.chunked before follow, its only reader (send_file_snapshot and write do not "
                "read it; when send_file_snapshot raises, follow is not reached)")
_DECLINED = ("a live event _Sender._direct declines goes to the stream's task, which writes the same frame through "
             "the response (aiohttp frames it as the same HTTP/1.1 chunk) in the same order: the same bytes, later")
_AT_THE_BOUND = ("an event offered with exactly DIRECT_WRITE_MAX_BUFFER bytes unsent is declined, not written: "
                 + _DECLINED)
_WRITE_RAISES = ("the checks just before rule out what makes transport.write raise (asyncio's raises only after "
                 "write_eof or while a sendfile runs, neither on a stream; uvloop's only on a closed handle, which "
                 "is_closing() reports), and nothing is awaited between them")
_ALSO_QUEUED = ("the event written is queued too, as a terminal one always is: the task wakes, finds it at last_seq "
                "and skips it, and events offered meanwhile queue behind it and go out in order: the same bytes")
_BEHIND_UNREAD = ("what the task does with a terminal event before writing it (waits for a load, settles, sends dirty "
                  "files) does not read `behind`: with the files final and no load in flight it writes the frame "
                  "alone, as _direct would, and any other verdict only declines (" + _DECLINED + ")")
_REPEAT_REPLAYS = ("an event at or before last_seq then costs a replay read that finds only what follows last_seq "
                   "(sent in order, its own queued copy skipped) and sends the dirty files before their FILES marker: "
                   "the client gets the same events in the same order and the same files")
_EQUAL_TAKEN = "an event at last_seq + 1 took the branch before this one: `>=` and `>` differ on none that gets here"
_TERMINAL_SENT = ("after the replay, a terminal event at last_seq is the one the replay just sent, so finished is "
                  "True and `not self.finished` fails either way")
_DETACHED = ("the detached view of a completed generation is in no hub's map: no writer, payload or mark reaches it, "
             "and, loaded and final, it is never loaded or settled; its hub, id and attempt are read only there")
_DETACHED_UNSETTLED = ("a detached view not marked loaded and final is loaded and settled from the database when the "
                       "stream sends `completed`: two reads more, filling a view whose changes no stream hears; a path "
                       "changed meanwhile in the hub's view (dirty) then goes out again, whole, with the stored text "
                       "the client holds: the client's files are the same")
_ALL_MISSING = ("a dirty path is missing from the stream's view only in the detached view of a completed generation "
                "(a hub's view never loses a path), where every path is missing: stopping at the first skips the "
                "same paths as skipping each")
_NO_EPOCH = ("the default of a path never sent is read only through its epoch, and epochs start at 1 (next_epoch): "
             "any negative one sends the whole file from offset 0, whatever the default's length and done")
_UNCHANGED_PATH = ("unreachable (`pragma: no cover`): live.py marks a path changed only when its text grows, its done "
                   "flips or its epoch moves, and a stream takes its dirty paths only where it records what it sent")
_RESET_TEXT = ("the ConnectionResetError's text is never read: _serve catches it and logs `stream client went away` "
               "with the generation's id only")
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
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_17":
        ('log.exception(None, extra={"delay": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_18":
        ('log.exception("claiming failed unexpectedly; retrying", extra=None)', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_19":
        ('log.exception(extra={"delay": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_20":
        ('log.exception("claiming failed unexpectedly; retrying", )', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_21":
        ('log.exception("XXclaiming failed unexpectedly; retryingXX", extra={"delay": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_22":
        ('log.exception("CLAIMING FAILED UNEXPECTEDLY; RETRYING", extra={"delay": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_23":
        ('log.exception("claiming failed unexpectedly; retrying", extra={"XXdelayXX": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_claim_loop__mutmut_24":
        ('log.exception("claiming failed unexpectedly; retrying", extra={"DELAY": delay})', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_heartbeat_loop__mutmut_3":
        ('interval = self.settings.lease_seconds / 4', _LOOP_INTERVAL),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_19": ('log.exception(None)', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_20":
        ('log.exception("XXreaper failed unexpectedly; retryingXX")', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_21":
        ('log.exception("REAPER FAILED UNEXPECTEDLY; RETRYING")', _UNREACHED_LOG),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_6":
        ('interval = max(self.settings.lease_seconds * 2, 0.2)', _LOOP_INTERVAL),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_7":
        ('interval = max(self.settings.lease_seconds / 3, 0.2)', _LOOP_INTERVAL),
    "codegen.engine.worker.x\u01c1Worker\u01c1_reaper_loop__mutmut_8":
        ('interval = max(self.settings.lease_seconds / 2, 1.2)', _LOOP_INTERVAL),
    "codegen.api.streams.x\u01c1_Sender\u01c1__init____mutmut_10": ('self.finished = None', _FINISHED_TRUTH),
    "codegen.api.streams.x\u01c1_Sender\u01c1__init____mutmut_12": ('self.status: str | None = ""', _SNAPSHOT_STATUS),
    "codegen.api.streams.x\u01c1_Sender\u01c1__init____mutmut_13": ('self.chunked = None', _CHUNKED_SET),
    "codegen.api.streams.x\u01c1_Sender\u01c1__init____mutmut_14": ('self.chunked = True', _CHUNKED_SET),
    "codegen.api.streams.x\u01c1_Sender\u01c1_direct__mutmut_12":
        ('if transport is None or transport.is_closing() or transport.get_write_buffer_size() >= '
         'DIRECT_WRITE_MAX_BUFFER:', _AT_THE_BOUND),
    "codegen.api.streams.x\u01c1_Sender\u01c1_direct__mutmut_15":
        ("return True  # the task's own write meets the same error and ends the stream", _WRITE_RAISES),
    "codegen.api.streams.x\u01c1_Sender\u01c1_direct__mutmut_19": ('return False', _ALSO_QUEUED),
    "codegen.api.streams.x\u01c1_Sender\u01c1_files_settled__mutmut_4":
        ('return self.files.loading is None and self.files.behind and self.files.final', _BEHIND_UNREAD),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_16":
        ('elif item is RESYNC or (isinstance(item, StreamEvent) or item.seq > self.last_seq + 1):', _REPEAT_REPLAYS),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_17":
        ('elif item is RESYNC or (isinstance(item, StreamEvent) and item.seq >= self.last_seq + 1):', _EQUAL_TAKEN),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_18":
        ('elif item is RESYNC or (isinstance(item, StreamEvent) and item.seq > self.last_seq - 1):', _REPEAT_REPLAYS),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_2": ('subscription.direct = None', _NOT_CHUNKED),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_23":
        ('if isinstance(item, StreamEvent) and item.terminal and item.seq >= self.last_seq and not '
         'self.finished:', _TERMINAL_SENT),
    "codegen.api.streams.x\u01c1_Sender\u01c1follow__mutmut_3":
        ('subscription.direct = self._direct if (self.chunked) and False else None', _NOT_CHUNKED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_11":
        ('self.files = LiveGeneration(self.live, str(None), 0)', _DETACHED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_12":
        ('self.files = LiveGeneration(self.live, str(self.generation_id), 1)', _DETACHED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_13":
        ('self.files.loaded = self.files.final = None', _DETACHED_UNSETTLED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_14":
        ('self.files.loaded = self.files.final = False', _DETACHED_UNSETTLED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_5":
        ('self.files = LiveGeneration(None, str(self.generation_id), 0)', _DETACHED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_6":
        ('self.files = LiveGeneration(self.live, None, 0)', _DETACHED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_file_snapshot__mutmut_7":
        ('self.files = LiveGeneration(self.live, str(self.generation_id), None)', _DETACHED),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_files__mutmut_13":
        ('epoch, length, done = self.sent.get(path, (-2, 0, False))', _NO_EPOCH),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_files__mutmut_14":
        ('epoch, length, done = self.sent.get(path, (-1, 1, False))', _NO_EPOCH),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_files__mutmut_15":
        ('epoch, length, done = self.sent.get(path, (-1, 0, True))', _NO_EPOCH),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_files__mutmut_39": ('break', _UNCHANGED_PATH),
    "codegen.api.streams.x\u01c1_Sender\u01c1send_files__mutmut_6": ('break', _ALL_MISSING),
    "codegen.api.streams.x\u01c1_Sender\u01c1write__mutmut_4":
        ('raise ConnectionResetError(None) from None', _RESET_TEXT),
    "codegen.api.streams.x\u01c1_Sender\u01c1write__mutmut_5":
        ('raise ConnectionResetError("XXstream client stopped readingXX") from None', _RESET_TEXT),
    "codegen.api.streams.x\u01c1_Sender\u01c1write__mutmut_6":
        ('raise ConnectionResetError("STREAM CLIENT STOPPED READING") from None', _RESET_TEXT),
}
