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
