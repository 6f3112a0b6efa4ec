"""Textual mutants of sql/queries and of the SQL functions in sql/functions.

A mutant that drops a query parameter keeps it typed (``$2::uuid IS NOT NULL``): otherwise the
statement no longer prepares, and every test using it fails for that reason alone.

Each mutant replaces one exact piece of text (which must occur exactly once in its file) and
names the few test files that should notice. tests/test_mutants_current.py keeps this list
honest in every CI run: each original text still exists, once. A mutant that survives is
either killed by a new test or listed in EQUIVALENT with the reason it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SqlMutant:
    id: str
    path: str
    original: str
    mutated: str
    tests: tuple[str, ...]


GEN = "sql/queries/generations.sql"
TOKENS = "sql/queries/stream_tokens.sql"
FILES = "sql/queries/files.sql"
PROJECTS = "sql/queries/projects.sql"
RATE_LIMITS = "sql/functions/rate_limits.sql"
TOKEN_FUNCTIONS = "sql/functions/stream_tokens.sql"
CREATE = "sql/functions/generations.sql"
STATUSES = "sql/functions/statuses.sql"

FENCING = "tests/test_fencing.py"
WINDOWS = "tests/test_windows.py"
ENGINE = "tests/test_engine.py"
ENGINE_PATHS = "tests/test_engine_paths.py"
STREAMING = "tests/test_streaming.py"
API_FILES = "tests/test_api_files.py"
API_GENERATIONS = "tests/test_api_generations.py"
API_PROJECTS = "tests/test_api_projects.py"
OPEN_STREAMS = "tests/test_open_streams.py"

MUTANTS: tuple[SqlMutant, ...] = (
    # -- the claim and its fence
    SqlMutant("apply_move-no-fence", GEN,
              "AND ($8::uuid IS NULL OR g.lease_token = $8)", "AND ($8::uuid IS NULL OR true)", (FENCING,)),
    SqlMutant("apply_move-no-status-guard", GEN,
              "WHERE g.id = $1 AND g.status = ANY($7::text[])", "WHERE g.id = $1 AND true", (FENCING, ENGINE)),
    SqlMutant("apply_move-progress-may-fall", GEN,
              "progress = greatest(g.progress, $4)", "progress = $4", (ENGINE_PATHS,)),
    SqlMutant("apply_move-keeps-lease-when-terminal", GEN,
              "lease_token = CASE WHEN $2 = 'processing' THEN g.lease_token END",
              "lease_token = g.lease_token", (FENCING,)),
    SqlMutant("renew-no-fence", GEN,
              "WHERE id = $1 AND lease_token = $2 AND status = 'processing'",
              "WHERE id = $1 AND $2::uuid IS NOT NULL AND status = 'processing'", (FENCING,)),
    SqlMutant("renew-twice-the-lease", GEN,
              "SET lease_expires_at = now() + make_interval(secs => $3)",
              "SET lease_expires_at = now() + make_interval(secs => $3 * 2)", (WINDOWS,)),
    SqlMutant("release-no-fence", GEN,
              "WHERE g.id = $1 AND g.lease_token = $2 AND g.status = ANY($4::text[])",
              "WHERE g.id = $1 AND $2::uuid IS NOT NULL AND g.status = ANY($4::text[])", (FENCING,)),
    SqlMutant("release-spends-an-attempt", GEN,
              "attempts = greatest(g.attempts - 1, 0)", "attempts = g.attempts", (ENGINE,)),
    SqlMutant("claim-newest-first", GEN,
              "    ORDER BY q.turn, q.created_at\n    LIMIT $1",
              "    ORDER BY q.turn, q.created_at DESC\n    LIMIT $1", (ENGINE_PATHS,)),
    SqlMutant("claim-unfair", GEN,
              "    ORDER BY q.turn, q.created_at\n    LIMIT $1", "    ORDER BY q.created_at\n    LIMIT $1",
              ("tests/test_security.py",)),
    SqlMutant("claim-only-each-users-oldest", GEN,
              "        LIMIT $1 - 1\n", "        LIMIT 0\n", ("tests/test_claim_bound.py",)),
    SqlMutant("claim-heads-skip-users", GEN,
              "WHERE g.status = 'pending' AND g.user_id > h.user_id",
              "WHERE g.status = 'pending' AND g.user_id > h.user_id AND g.created_at > h.created_at",
              ("tests/test_claim_bound.py",)),
    SqlMutant("claim-no-attempt-count", GEN,
              "        attempts = g.attempts + 1,\n        lease_token = gen_random_uuid(),",
              "        lease_token = gen_random_uuid(),", (ENGINE, FENCING)),
    # -- leases running out
    SqlMutant("requeue-live-leases", GEN,
              "lease_expires_at < now() AND attempts < $1",
              "lease_expires_at < now() + interval '10 seconds' AND attempts < $1", (WINDOWS,)),
    SqlMutant("requeue-the-last-attempt", GEN,
              "lease_expires_at < now() AND attempts < $1", "lease_expires_at < now() AND attempts <= $1",
              (WINDOWS, ENGINE)),
    SqlMutant("fail-live-leases", GEN,
              "lease_expires_at < now() AND attempts >= $1",
              "lease_expires_at < now() + interval '10 seconds' AND attempts >= $1", (WINDOWS,)),
    # -- the terminal statuses, as lifecycle.py has them
    SqlMutant("terminal-statuses-without-cancelled", STATUSES,
              "ARRAY['cancelled', 'completed', 'failed']", "ARRAY['completed', 'failed']", ("tests/test_lifecycle.py",)),
    # -- what a user may see
    SqlMutant("get-any-users-generation", GEN,
              "FROM generations g JOIN projects p ON p.id = g.project_id\nWHERE g.id = $1 AND g.user_id = $2;",
              "FROM generations g JOIN projects p ON p.id = g.project_id\nWHERE g.id = $1 AND $2::uuid IS NOT NULL;",
              (API_FILES,)),
    SqlMutant("status-any-users-generation", GEN,
              "SELECT status, error_message FROM generations WHERE id = $1 AND user_id = $2;",
              "SELECT status, error_message FROM generations WHERE id = $1 AND $2::uuid IS NOT NULL;", (API_FILES,)),
    SqlMutant("list-oldest-first", GEN,
              "ORDER BY g.created_at DESC, g.id DESC\nLIMIT $2;", "ORDER BY g.created_at, g.id\nLIMIT $2;",
              (API_GENERATIONS,)),
    SqlMutant("projects-of-everyone", PROJECTS,
              "    WHERE p.user_id = $1\n) AS listed", "    WHERE $1::uuid IS NOT NULL\n) AS listed",
              (API_PROJECTS,)),
    SqlMutant("delete-anyones-project", PROJECTS,
              "DELETE FROM projects WHERE id = $1 AND user_id = $2",
              "DELETE FROM projects WHERE id = $1 AND $2::uuid IS NOT NULL",
              (API_PROJECTS,)),
    SqlMutant("project-activity-row-only", PROJECTS,
              "SELECT p.id, p.name, p.domain, p.description, p.created_at,\n"
              "       greatest(p.updated_at, counted.newest) AS updated_at, counted.generation_count\n"
              "FROM projects p\nCROSS JOIN LATERAL (\n"
              "    SELECT count(*) AS generation_count, max(g.created_at) AS newest FROM generations g WHERE g.project_id = p.id\n"
              ") AS counted\nWHERE p.id = $1",
              "SELECT p.id, p.name, p.domain, p.description, p.created_at,\n"
              "       p.updated_at AS updated_at, counted.generation_count\n"
              "FROM projects p\nCROSS JOIN LATERAL (\n"
              "    SELECT count(*) AS generation_count, max(g.created_at) AS newest FROM generations g WHERE g.project_id = p.id\n"
              ") AS counted\nWHERE p.id = $1",
              (WINDOWS,)),
    # -- stream tokens
    SqlMutant("token-reusable", TOKEN_FUNCTIONS,
              "DELETE FROM stream_tokens t USING asked a\n"
              "        WHERE t.token_hash = a.token_hash AND t.generation_id = a.generation_id AND t.expires_at > now()\n"
              "        RETURNING a.ord, t.user_id",
              "SELECT a.ord, t.user_id FROM stream_tokens t JOIN asked a\n"
              "        ON t.token_hash = a.token_hash AND t.generation_id = a.generation_id AND t.expires_at > now()",
              (STREAMING,)),
    SqlMutant("token-any-generation", TOKEN_FUNCTIONS,
              "AND t.generation_id = a.generation_id AND", "AND a.generation_id IS NOT NULL AND", (STREAMING,)),
    SqlMutant("token-never-expires", TOKEN_FUNCTIONS,
              "AND t.generation_id = a.generation_id AND t.expires_at > now()", "AND t.generation_id = a.generation_id",
              (WINDOWS, STREAMING)),
    SqlMutant("token-twice-the-life", TOKEN_FUNCTIONS,
              "now() + make_interval(secs => p_ttl_seconds)", "now() + make_interval(secs => 2 * p_ttl_seconds)",
              (WINDOWS, STREAMING)),
    SqlMutant("token-for-a-cancelled-generation", TOKEN_FUNCTIONS,
              "IF v_status = ANY(codegen_terminal_statuses()) THEN",
              "IF v_status = ANY(array_remove(codegen_terminal_statuses(), 'cancelled')) THEN", (STREAMING,)),
    SqlMutant("token-for-anothers-generation", TOKEN_FUNCTIONS,
              "FROM generations g WHERE g.id = p_generation_id AND g.user_id = p_user_id;",
              "FROM generations g WHERE g.id = p_generation_id;", (STREAMING,)),
    # -- open streams per user, across processes
    SqlMutant("open-streams-per-process", TOKEN_FUNCTIONS,
              "v_open := (SELECT count(*) FROM open_streams s WHERE s.user_id = v_user);",
              "v_open := (SELECT count(*) FROM open_streams s WHERE s.user_id = v_user AND s.process = p_process);",
              (OPEN_STREAMS,)),
    SqlMutant("open-streams-lapsed-still-count", TOKEN_FUNCTIONS,
              "DELETE FROM open_streams s WHERE s.user_id = v_user AND s.expires_at <= now();",
              "DELETE FROM open_streams s WHERE s.user_id = v_user AND false;", (OPEN_STREAMS,)),
    SqlMutant("open-streams-not-serialised", TOKEN_FUNCTIONS,
              "PERFORM pg_advisory_xact_lock(hashtextextended('codegen-streams:' || v_user::text, 0));",
              "PERFORM hashtextextended('codegen-streams:' || v_user::text, 0);",
              # the test that makes the two statements overlap; the others catch it only when they happen to
              (f"{OPEN_STREAMS}::test_a_users_opens_on_two_processes_wait_for_each_other_while_one_is_taking_its_slot",)),
    SqlMutant("open-streams-close-keeps-slot", TOKENS,
              "DELETE FROM open_streams WHERE id = ANY($1::bigint[]);",
              "DELETE FROM open_streams WHERE id = ANY($1::bigint[]) AND false;", (OPEN_STREAMS,)),
    SqlMutant("open-streams-heartbeat-renews-nothing", TOKENS,
              "WHERE process = $1 AND id <> ALL($3::bigint[])", "WHERE process = $1 AND false AND id <> ALL($3::bigint[])",
              (OPEN_STREAMS,)),
    SqlMutant("open-streams-heartbeat-keeps-lapsed", TOKENS,
              "DELETE FROM open_streams WHERE process <> $1 AND expires_at <= now()",
              "DELETE FROM open_streams WHERE process <> $1 AND false", (OPEN_STREAMS,)),
    # -- files and their change marks
    SqlMutant("files-unchanged-by-path", FILES,
              "WHEN cur.content = par.content THEN 'unchanged'", "WHEN cur.path = par.path THEN 'unchanged'",
              (API_FILES,)),
    SqlMutant("files-no-deleted", FILES, "FROM cur FULL JOIN par", "FROM cur LEFT JOIN par", (API_FILES,)),
    SqlMutant("files-marks-without-iteration", FILES,
              "SELECT id, is_iteration AND parent_generation_id IS NOT NULL AS compare",
              "SELECT id, parent_generation_id IS NOT NULL AS compare", (API_FILES,)),
    # -- the rate-limit window
    SqlMutant("rate-window-two-seconds", RATE_LIMITS,
              "SET hits = CASE WHEN r.window_start <= clock_timestamp() - interval '1 minute'",
              "SET hits = CASE WHEN r.window_start <= clock_timestamp() - interval '2 seconds'", (WINDOWS,)),
    SqlMutant("rate-window-never-restarts", RATE_LIMITS,
              "window_start = CASE WHEN r.window_start <= clock_timestamp() - interval '1 minute'\n"
              "                                THEN clock_timestamp() ELSE r.window_start END",
              "window_start = r.window_start", (WINDOWS,)),
    SqlMutant("rate-limit-off-by-one", RATE_LIMITS, "IF v_hits <= p_limit THEN", "IF v_hits < p_limit THEN",
              (WINDOWS, STREAMING)),
    # -- creating a generation
    SqlMutant("create-parent-of-anyone", CREATE,
              "FROM generations g WHERE g.id = p_parent_id AND g.user_id = p_user_id;",
              "FROM generations g WHERE g.id = p_parent_id;", (API_GENERATIONS,)),
    SqlMutant("create-iterates-unfinished-parent", CREATE,
              "IF p_is_iteration AND v_parent_status <> 'completed' THEN",
              "IF p_is_iteration AND v_parent_status = 'failed' THEN", (API_GENERATIONS,)),
    SqlMutant("create-into-anyones-project", CREATE,
              "SELECT * INTO v_project FROM projects p WHERE p.id = p_project_id AND p.user_id = p_user_id;",
              "SELECT * INTO v_project FROM projects p WHERE p.id = p_project_id;", (API_GENERATIONS,)),
    SqlMutant("reuse-by-row-only", CREATE,
              "SELECT greatest(p.updated_at, (SELECT max(g.created_at) FROM generations g WHERE g.project_id = p.id)) AS at",
              "SELECT p.updated_at AS at", (WINDOWS,)),
    SqlMutant("reuse-by-generations-only", CREATE,
              "SELECT greatest(p.updated_at, (SELECT max(g.created_at) FROM generations g WHERE g.project_id = p.id)) AS at",
              "SELECT (SELECT max(g.created_at) FROM generations g WHERE g.project_id = p.id) AS at", (WINDOWS,)),
    SqlMutant("reuse-for-two-hours", CREATE,
              "AND active.at > now() - interval '1 hour'", "AND active.at > now() - interval '2 hours'",
              (WINDOWS, API_GENERATIONS)),
    SqlMutant("reuse-across-domains", CREATE,
              "          AND p.domain = p_project_domain\n", "", (API_GENERATIONS,)),
    SqlMutant("reuse-other-users-projects", CREATE,
              "        WHERE p.user_id = p_user_id\n          AND p.domain = p_project_domain",
              "        WHERE p.domain = p_project_domain", (API_GENERATIONS,)),
)

# mutants that change nothing observable, each with the reason (none so far)
EQUIVALENT: dict[str, str] = {}

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
