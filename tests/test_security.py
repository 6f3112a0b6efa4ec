"""Security and abuse hardening (docs/security.md): each control, through real HTTP and a real database."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiohttp import web
from argon2 import PasswordHasher
from aiohttp.test_utils import make_mocked_request

from codegen.api.http_errors import REDACTED
from codegen.errors import HASHING_BUSY, IDEMPOTENCY_KEY_REUSED, REGISTER_THROTTLED, SIGN_IN_THROTTLED
from codegen.generators.base import GeneratedFile
from codegen.generators.review import check_files, path_problem
from codegen.headers import CONTENT_SECURITY_POLICY, add_security_headers
from tests.generators.fake_llm import API_KEY, MODEL, error, fake_llm, fenced, stream  # noqa: F401 - a fixture
from tests.helpers import ApiClient

PASSWORD = "correct horse"
# a first wait longer than any test: whether an attempt is refused never depends on how fast the machine is
LONG_WAIT = {"login_backoff_base_seconds": 600, "login_backoff_max_seconds": 3600}


async def login(api: ApiClient, email: str, password: str) -> tuple[int, object, object]:
    answer = await api.call("POST", "/api/auth/login", {"email": email, "password": password})
    return answer.status, answer.body, answer.headers


# -- sign-in throttling -----------------------------------------------------------------------------


async def test_wrong_passwords_back_off_per_account_in_every_process(make_server, http):
    one = await make_server(worker=False, login_free_attempts=5, **LONG_WAIT)
    two = await make_server(worker=False, login_free_attempts=5, **LONG_WAIT)
    victim = ApiClient(http, one.url)
    await victim.sign_up(password=PASSWORD)
    statuses = []
    for attempt in range(25):
        server = (one, two)[attempt % 2]  # alternate processes: the state is in the database
        status, body, headers = await login(ApiClient(http, server.url), victim.email, "wrong password")
        statuses.append(status)
        if status == 429:
            assert body == {"detail": SIGN_IN_THROTTLED}
            assert 1 <= int(headers["Retry-After"]) <= 600
    # the five free failures, the sixth (counted, then blocked), and nothing more reaches the hash
    assert statuses == [401] * 6 + [429] * 19
    # the right password is refused too while the account waits, from either process
    for server in (one, two):
        status, body, _ = await login(ApiClient(http, server.url), victim.email.upper(), PASSWORD)
        assert (status, body) == (429, {"detail": SIGN_IN_THROTTLED})
    # another account is not affected
    other = ApiClient(http, one.url)
    await other.sign_up(password=PASSWORD)
    assert (await login(other, other.email, PASSWORD))[0] == 200


async def test_a_burst_of_guesses_is_counted_before_any_hash(make_server, http):
    server = await make_server(worker=False, login_free_attempts=5, password_hash_queue=64, **LONG_WAIT)
    api = ApiClient(http, server.url)
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers = await asyncio.gather(*(login(api, email, f"wrong guess {i}") for i in range(30)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [401] * 6 + [429] * 24


async def test_a_correct_password_resets_its_account(make_server, http):
    server = await make_server(worker=False, login_free_attempts=3, **LONG_WAIT)
    user = ApiClient(http, server.url)
    await user.sign_up(password=PASSWORD)
    for _ in range(3):
        assert (await login(user, user.email, "wrong password"))[0] == 401
    assert (await login(user, user.email, PASSWORD))[0] == 200
    # three free failures again, not none
    assert [(await login(user, user.email, "wrong password"))[0] for _ in range(5)] == [401] * 4 + [429]


async def test_guessing_many_accounts_from_one_address_backs_off(make_server, http, fresh_database_url):
    server = await make_server(
        worker=False, database_url=fresh_database_url, login_free_attempts=100, login_address_free_attempts=3,
        **LONG_WAIT,
    )
    api = ApiClient(http, server.url)
    honest = ApiClient(http, server.url)
    await honest.sign_up(password=PASSWORD)
    # an honest user's sign-ins from the address do not use its allowance up
    for _ in range(5):
        assert (await login(honest, honest.email, PASSWORD))[0] == 200
    statuses = [(await login(api, f"n{i}-{uuid.uuid4().hex[:6]}@example.com", "wrong guess"))[0] for i in range(6)]
    assert statuses == [401] * 4 + [429] * 2


async def test_an_address_throttle_holds_that_address_alone(make_server, http, fresh_database_url):
    """Behind a trusted proxy, guesses from one address wait; another address's first guess does not."""
    server = await make_server(
        worker=False, database_url=fresh_database_url, login_free_attempts=100, login_address_free_attempts=2,
        trust_forwarded_for=True, **LONG_WAIT,
    )

    def from_address(address: str) -> ApiClient:
        return ApiClient(http, server.url, extra_headers={"X-Forwarded-For": address})

    guesser = from_address("203.0.113.7")
    statuses = [(await login(guesser, f"g{i}-{uuid.uuid4().hex[:6]}@example.com", "wrong guess"))[0] for i in range(4)]
    assert statuses == [401] * 3 + [429]
    assert (await login(from_address("203.0.113.8"), "someone@example.com", "wrong guess"))[0] == 401


async def test_the_sign_in_wait_doubles_up_to_its_cap(make_server, http, fresh_database_url):
    """The wait after the free failures starts at the base and doubles with each failure after a wait, never past
    the cap; the wait's end is moved instead of waited for."""
    server = await make_server(
        worker=False, database_url=fresh_database_url, login_free_attempts=1,
        login_backoff_base_seconds=600, login_backoff_max_seconds=900,
    )
    user = ApiClient(http, server.url)
    await user.sign_up(password=PASSWORD)
    assert [(await login(user, user.email, "wrong password"))[0] for _ in range(2)] == [401, 401]
    status, _, headers = await login(user, user.email, "wrong password")
    assert status == 429 and int(headers["Retry-After"]) <= 600
    admin = await asyncpg.connect(fresh_database_url)
    try:
        await admin.execute("UPDATE auth_failures SET blocked_until = now() - interval '1 second'")
    finally:
        await admin.close()
    assert (await login(user, user.email, "wrong password"))[0] == 401  # counted: 2 x 600 s, capped at 900
    status, _, headers = await login(user, user.email, "wrong password")
    assert status == 429 and 600 < int(headers["Retry-After"]) <= 900


async def test_a_hash_of_older_parameters_is_renewed_at_sign_in(make_server, http, fresh_database_url):
    """argon2's parameters grow over the years: a password hashed with older ones is hashed again with the current
    ones when it is next given, and it keeps working."""
    server = await make_server(worker=False, database_url=fresh_database_url)
    user = ApiClient(http, server.url)
    await user.sign_up(password=PASSWORD)
    older = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    admin = await asyncpg.connect(fresh_database_url)
    try:
        await admin.execute("UPDATE users SET password_hash = $1 WHERE email = $2", older, user.email)
        assert (await login(user, user.email, PASSWORD))[0] == 200
        renewed = await admin.fetchval("SELECT password_hash FROM users WHERE email = $1", user.email)
    finally:
        await admin.close()
    assert renewed != older and not PasswordHasher().check_needs_rehash(renewed)
    assert PasswordHasher().verify(renewed, PASSWORD)
    assert (await login(user, user.email, PASSWORD))[0] == 200


async def test_accounts_that_differ_only_by_a_letter_that_upper_case_merges_have_their_own_waits(make_server, http):
    """The throttle's account key is the email in lower case, as the accounts are told apart: "straße" and
    "strasse" are two accounts (upper case would make both STRASSE)."""
    server = await make_server(worker=False, login_free_attempts=1, **LONG_WAIT)
    api = ApiClient(http, server.url)
    tag = uuid.uuid4().hex[:8]
    assert [(await login(api, f"straße-{tag}@example.com", "wrong guess"))[0] for _ in range(3)] == [401, 401, 429]
    assert (await login(api, f"strasse-{tag}@example.com", "wrong guess"))[0] == 401


async def test_password_hashing_beyond_its_capacity_answers_503(make_server, http):
    server = await make_server(
        worker=False, password_hash_concurrency=1, password_hash_queue=0, login_free_attempts=1000,
    )
    api = ApiClient(http, server.url)
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers = await asyncio.gather(*(login(api, email, "wrong guess") for _ in range(8)))
    busy = [(body, headers) for status, body, headers in answers if status == 503]
    assert busy, [status for status, _, _ in answers]
    assert all(body == {"detail": HASHING_BUSY} and headers["Retry-After"] == "1" for body, headers in busy)
    assert any(status == 401 for status, _, _ in answers)


async def test_registration_is_limited_per_address(make_server, http, fresh_database_url):
    server = await make_server(worker=False, database_url=fresh_database_url, register_rate_limit=2)
    api = ApiClient(http, server.url)
    statuses = []
    for _ in range(3):
        answer = await api.call(
            "POST", "/api/auth/register", {"email": f"r-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
        )
        statuses.append(answer.status)
    assert statuses == [201, 201, 429]
    assert answer.body == {"detail": REGISTER_THROTTLED}
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


async def test_registration_limit_of_one_address_leaves_another_free(make_server, http, fresh_database_url):
    server = await make_server(worker=False, database_url=fresh_database_url, register_rate_limit=1,
                               trust_forwarded_for=True)

    async def register(address: str) -> int:
        api = ApiClient(http, server.url, extra_headers={"X-Forwarded-For": address})
        email = f"r-{uuid.uuid4().hex[:8]}@example.com"
        return (await api.call("POST", "/api/auth/register", {"email": email, "password": PASSWORD})).status

    assert [await register("203.0.113.20"), await register("203.0.113.20"), await register("203.0.113.21")] == [
        201, 429, 201]


# -- quotas ---------------------------------------------------------------------------------------


async def test_active_generations_per_user_are_capped_even_in_a_burst(make_server, make_user):
    server = await make_server(worker=False, generate_rate_limit=0, max_active_generations=3)
    alice, bob = await make_user(server), await make_user(server)
    answers = await asyncio.gather(*(
        alice.call("POST", "/api/generations/generate", {"prompt": f"Create a REST API number {i}"}) for i in range(10)
    ))
    created = [a.body for a in answers if a.status == 201]
    refused = [a for a in answers if a.status != 201]
    assert len(created) == 3
    assert {a.status for a in refused} == {429}
    assert refused[0].body["detail"].startswith("Too many active generations. At most 3")
    assert "Retry-After" in refused[0].headers
    assert (await bob.call("POST", "/api/generations/generate", {"prompt": "Create a REST API for bob"})).status == 201
    # a cancelled generation is no longer active
    assert (await alice.call("POST", f"/api/generations/{created[0]['id']}/cancel")).status == 200
    assert (await alice.call("POST", "/api/generations/generate", {"prompt": "Create a REST API again"})).status == 201


async def test_a_spent_daily_budget_refuses_new_generations(make_server, make_user, db_conn):
    server = await make_server(worker=False, generate_rate_limit=0, daily_token_budget=1000)
    alice, bob = await make_user(server), await make_user(server)
    await db_conn.execute(
        "INSERT INTO token_spend (day, user_id, tokens) VALUES (codegen_utc_day(), $1, 1000)", uuid.UUID(alice.user_id)
    )
    answer = await alice.call("POST", "/api/generations/generate", {"prompt": "Create a REST API with authentication"})
    assert answer.status == 429
    assert answer.body["detail"] == "Daily token budget exhausted (1000 tokens per day). It renews at midnight UTC."
    assert 1 <= int(answer.headers["Retry-After"]) <= 86400
    assert (await bob.call("POST", "/api/generations/generate", {"prompt": "Create a REST API for bob"})).status == 201


async def test_open_streams_per_user_are_capped(make_server, make_user):
    server = await make_server(worker=False, generate_rate_limit=0, max_streams_per_user=2, stream_token_rate_limit=0)
    alice, bob = await make_user(server), await make_user(server)
    generation = await alice.generate()
    first = await alice.open_stream(generation["id"])
    second = await alice.open_stream(generation["id"])
    try:
        token = await alice.stream_token(generation["id"])
        third = await alice.call("GET", token.body["stream_url"], params={"token": token.body["sse_token"]})
        assert third.status == 429
        assert third.body["detail"] == "Too many open streams. At most 2 per user; close one before opening another."
        # another user's streams are their own
        bobs = await bob.generate()
        (await bob.open_stream(bobs["id"])).close()
    finally:
        first.close()
        second.close()


async def test_the_spending_stop_calls_no_model(make_server, http, fake_llm, fresh_database_url):
    # its own database: the stop counts every user's tokens of the day
    server = await make_server(
        database_url=fresh_database_url, provider="openai", llm_base_url=fake_llm.url, llm_api_key=API_KEY,
        llm_model=MODEL, llm_timeout_seconds=10, global_daily_token_limit=100,
    )
    fake_llm.add(stream(fenced("app.py", "print('hello')\n"), usage=(120, 45)))
    api = ApiClient(http, server.url)
    await api.sign_up()
    first = await api.generate(prompt="Write a hello world script", generation_mode="unified")
    assert (await api.wait_for(first["id"]))["status"] == "completed"
    second = await api.generate(prompt="Write a goodbye world script", generation_mode="unified")
    final = await api.wait_for(second["id"])
    assert final["status"] == "failed"
    assert final["error_message"] == (
        "The service has reached its daily spending limit; no model was called. Try again after midnight UTC."
    )
    assert len(fake_llm.requests) == 1


async def test_users_never_see_the_model_endpoints_address(make_server, http, fake_llm):
    server = await make_server(
        provider="openai", llm_base_url=fake_llm.url, llm_api_key=API_KEY, llm_model=MODEL, llm_timeout_seconds=10,
    )
    fake_llm.add(error(404, "no such route"))
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Write a hello world script", generation_mode="unified")
    final = await api.wait_for(generation["id"])
    assert final["status"] == "failed"
    assert "404" in final["error_message"]
    assert f"127.0.0.1:{fake_llm.port}" not in final["error_message"], final["error_message"]
    assert "<model endpoint>" in final["error_message"]


# -- idempotent create ----------------------------------------------------------------------------


async def generation_count(db_conn, user: ApiClient) -> int:
    return await db_conn.fetchval("SELECT count(*) FROM generations WHERE user_id = $1", uuid.UUID(user.user_id))


async def test_the_same_key_and_body_give_the_first_answer(server, alice, bob, db_conn):
    body = {"prompt": "Create a REST API with authentication"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await alice.call("POST", "/api/generations/generate", body, headers=key)
    again = await alice.call("POST", "/api/generations/generate", body, headers=key)
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert await generation_count(db_conn, alice) == 1
    # a different body under the same key is a mistake of the client's
    other = await alice.call("POST", "/api/generations/generate", {"prompt": "Create a CLI for notes"}, headers=key)
    assert (other.status, other.body) == (422, {"detail": [{
        "type": "idempotency_key_reused", "loc": ["header", "Idempotency-Key"], "msg": IDEMPOTENCY_KEY_REUSED,
        "input": key["Idempotency-Key"],
    }]})
    # keys are per user
    bobs = await bob.call("POST", "/api/generations/generate", body, headers=key)
    assert bobs.status == 201 and bobs.body["id"] != first.body["id"]
    for bad in ("", "x" * 256, "with space", "naïve", "\udcd7\udcf8".encode("utf-8", "surrogateescape").decode("latin-1")):
        answer = await alice.call("POST", "/api/generations/generate", body, headers={"Idempotency-Key": bad})
        assert answer.status == 422, bad
        assert answer.body["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_simultaneous_retries_create_one_generation(server, alice, db_conn):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    answers = await asyncio.gather(*(
        alice.call("POST", "/api/generations/generate", {"prompt": "Create a REST API with authentication"}, headers=key)
        for _ in range(10)
    ))
    assert {a.status for a in answers} == {201}
    assert len({a.body["id"] for a in answers}) == 1
    assert await generation_count(db_conn, alice) == 1


async def test_a_retry_after_a_503_that_followed_the_commit_creates_nothing_twice(server, alice, http, db_conn):
    """A proxy of the test's own stands between client and service, as a load balancer would: the
    first time, it forwards the create (which commits) and then answers the client 503, as if the
    service's answer had been lost. The client retries with the same key, as it should."""
    answers_lost = 0

    async def proxy(request: web.Request) -> web.Response:
        nonlocal answers_lost
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k in ("Authorization", "Content-Type", "Idempotency-Key")}
        async with http.post(server.url + request.path, data=body, headers=headers) as upstream:
            payload = await upstream.read()
            if upstream.status == 201 and answers_lost == 0:
                answers_lost += 1
                return web.json_response({"detail": "Service temporarily unavailable"}, status=503,
                                         headers={"Retry-After": "1"})
            return web.Response(body=payload, status=upstream.status, content_type=upstream.content_type)

    app = web.Application()
    app.router.add_post("/api/generations/generate", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        client = ApiClient(http, f"http://127.0.0.1:{port}", token=alice.token)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        body = {"prompt": "Create a REST API with authentication"}
        retries = 0
        answer = await client.call("POST", "/api/generations/generate", body, headers=key)
        while answer.status == 503:
            retries += 1
            answer = await client.call("POST", "/api/generations/generate", body, headers=key)
        assert (answers_lost, retries, answer.status) == (1, 1, 201)
        assert await generation_count(db_conn, alice) == 1
        assert (await alice.generation(answer.body["id"]))["prompt"] == body["prompt"]
    finally:
        await runner.cleanup()


# -- fair scheduling ------------------------------------------------------------------------------


async def test_one_users_flood_does_not_delay_another_users_generation(make_server, make_user, db_conn):
    """User A queues 500, then user B queues 1: B's generation is among the first claimed, so it
    starts within one worker slot's time, not after A's 500."""
    queue = await make_server(worker=False, generate_rate_limit=0)
    a, b = await make_user(queue), await make_user(queue)
    prompt = {"prompt": "Create a REST API with authentication", "generation_mode": "unified"}
    for start in range(0, 500, 50):
        answers = await asyncio.gather(*(a.call("POST", "/api/generations/generate", prompt) for _ in range(50)))
        assert {x.status for x in answers} == {201}
    bs = await b.generate(**prompt)
    concurrency = 2
    worker = await make_server(worker_concurrency=concurrency, generate_rate_limit=0)
    final = await b.for_server(worker.url).wait_for(bs["id"], timeout=60)
    assert final["status"] == "completed"
    started_before_b = await db_conn.fetchval(
        "SELECT count(*) FROM generations WHERE user_id = $1 AND started_at < $2",
        uuid.UUID(a.user_id), (await db_conn.fetchval("SELECT started_at FROM generations WHERE id = $1",
                                                       uuid.UUID(bs["id"]))),
    )
    # B went in the first round of claims: at most one slot's worth of A's work started before it
    assert started_before_b <= concurrency - 1, started_before_b
    await worker.stop()
    waited = await db_conn.fetchval("SELECT started_at - created_at FROM generations WHERE id = $1", uuid.UUID(bs["id"]))
    print(f"\nfair claim: {started_before_b} of A's 500 started before B's; B waited {waited.total_seconds():.3f} s")


# -- errors ---------------------------------------------------------------------------------------


async def test_no_422_echoes_a_password(api):
    secret = "s3cret!"  # too short: a 422 about the password itself
    answers = [
        await api.call("POST", "/api/auth/register", {"email": "a@example.com", "password": secret}),
        await api.call("POST", "/api/auth/login", {"password": "a-long-enough-s3cret"}),  # no email: the object
        await api.call("POST", "/api/auth/register", {"email": ["x"], "password": "a-long-enough-s3cret"}),
    ]
    for answer in answers:
        assert answer.status == 422
        text = str(answer.body)
        assert "s3cret" not in text, answer.body
    whole = next(item for item in answers[1].body["detail"] if item["loc"] == ["body", "email"])
    assert whole["input"] == {"password": REDACTED}
    assert answers[0].body["detail"][0]["input"] == REDACTED


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("app/\u202eyp.exe", "bidirectional"),  # right-to-left override: shows as "exe.py"
        ("app/a\u200bb.py", "invisible"),  # zero-width space
        ("app/\x7fx.py", "control character"),
        ("app/\x85x.py", "control character"),  # C1
        ("app/\x1bx.py", "control character"),
        ("a" * 256 + ".py", "longer than 255 bytes"),
        ("dir/" + "é" * 128 + "/x.py", "longer than 255 bytes"),  # 256 bytes in UTF-8
    ],
)
def test_paths_that_spoof_or_overflow_are_refused(path, problem):
    found = path_problem(path)
    assert found is not None and problem in found, found
    assert any(problem in p for p in check_files([GeneratedFile(path, "x = 1\n")]))


def test_a_path_that_is_both_a_file_and_a_directory_is_refused():
    files = [GeneratedFile("app", "x = 1\n"), GeneratedFile("app/main.py", "x = 1\n")]
    assert check_files(files) == ["app: path clash (a file and also a directory of other files)"]
    assert path_problem("a" * 255 + "/b.py") is None  # 255 bytes is allowed


# -- headers --------------------------------------------------------------------------------------


async def test_every_answer_carries_the_security_headers(server, http):
    for path in ("/", "/static/app.js", "/api/health", "/api/auth/me", "/api/nope", "/api/openapi.json"):
        async with http.get(server.url + path) as response:
            headers = response.headers
            assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "no-referrer"
            assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
            assert headers["Server"] == "codegen"  # no versions
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in CONTENT_SECURITY_POLICY


async def test_a_route_with_its_own_policy_keeps_it():
    own = "default-src 'none'; frame-ancestors 'self'"
    response = web.Response(headers={"Content-Security-Policy": own})
    await add_security_headers(make_mocked_request("GET", "/preview"), response)
    assert response.headers["Content-Security-Policy"] == own
    assert response.headers["X-Content-Type-Options"] == "nosniff"
