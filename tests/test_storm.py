"""A reconnect storm: many streams connecting together share their statements (store/batch.py).

The first statement is held on a table lock, so every other connect arrives while it runs; without
batching each connect would hold one of the pool's two connections in turn, the rest waiting past
the acquire timeout for a 503.
"""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from codegen import appkeys
from tests.conftest import ServerFactory, UserFactory
from tests.faults import blocked_backend, table_locked
from tests.helpers import read_events, wait_until

pytestmark = pytest.mark.database

STREAMS = 150


async def _now(value: bool) -> bool:
    return value


async def test_streams_connecting_together_share_statements_and_hold_one_connection(
    make_server: ServerFactory, make_user: UserFactory, database_url: str, db_conn
):
    server = await make_server(
        worker=False, generate_rate_limit=0, stream_token_rate_limit=0, max_streams_per_user=STREAMS, db_pool_max=2
    )
    alice = await make_user(server)
    generation = await alice.generate()
    tokens = [await alice.stream_token(generation["id"]) for _ in range(STREAMS)]
    opener = server.app[appkeys.STREAMS]._open
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        def connect(token) -> asyncio.Task:
            url, params = server.url + token.body["stream_url"], {"token": token.body["sse_token"]}
            return asyncio.create_task(http.get(url, params=params))

        async with table_locked(database_url, "stream_tokens") as admin:
            # the first connect's statement waits on the lock; every other connect waits for the next statement
            connecting = [connect(tokens[0])]
            await blocked_backend(admin, "codegen_open_streams")
            connecting += [connect(token) for token in tokens[1:]]
            await wait_until(lambda: _now(opener.waiting == STREAMS - 1))
            # meanwhile the pool has a connection for everything else
            assert (await alice.generation(generation["id"]))["status"] == "pending"
        responses = await asyncio.gather(*connecting)
        try:
            assert [r.status for r in responses] == [200] * STREAMS
            firsts = await asyncio.gather(*(anext(read_events(r)) for r in responses))
            assert {e.data["stage"] for e in firsts} == {"connected"}
            assert opener.batches == 2
            assert await db_conn.fetchval(
                "SELECT count(*) FROM open_streams WHERE user_id = $1", uuid.UUID(alice.user_id)
            ) == STREAMS
        finally:
            for response in responses:
                response.close()
    # the slots are given back as the streams end
    await wait_until(lambda: _slots_gone(db_conn, alice.user_id))


async def _slots_gone(db_conn, user_id: str) -> bool:
    return await db_conn.fetchval("SELECT count(*) FROM open_streams WHERE user_id = $1", uuid.UUID(user_id)) == 0


async def test_a_batch_refuses_exactly_the_opens_over_the_limit_and_the_invalid_tokens(
    make_server: ServerFactory, make_user: UserFactory, database_url: str
):
    server = await make_server(
        worker=False, generate_rate_limit=0, stream_token_rate_limit=0, max_streams_per_user=3
    )
    alice, bob = await make_user(server), await make_user(server)
    alices, bobs = await alice.generate(), await bob.generate()
    asked = [(alice, alices) for _ in range(5)] + [(bob, bobs) for _ in range(2)]
    tokens = [(await user.stream_token(g["id"])).body for user, g in asked]
    forged = {**tokens[0], "sse_token": "not-a-token"}
    opener = server.app[appkeys.STREAMS]._open
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async with table_locked(database_url, "stream_tokens") as admin:
            # a first connect holds the statement, so the rest go together in the next one
            holder = asyncio.create_task(
                http.get(server.url + tokens[0]["stream_url"], params={"token": tokens[0]["sse_token"]})
            )
            await blocked_backend(admin, "codegen_open_streams")
            rest = [
                asyncio.create_task(http.get(server.url + t["stream_url"], params={"token": t["sse_token"]}))
                for t in [*tokens[1:], forged]
            ]
            await wait_until(lambda: _now(opener.waiting == len(rest)))
        responses = [await holder, *await asyncio.gather(*rest)]
        try:
            statuses = [r.status for r in responses]
            # alice: 3 of her 5 get in, in the order asked; bob's 2 both do; the forged token is refused
            assert statuses == [200, 200, 200, 429, 429, 200, 200, 401], statuses
            assert opener.batches == 2
        finally:
            for response in responses:
                response.close()


async def test_streams_resuming_at_different_events_in_one_replay_statement_each_get_only_theirs(
    make_server: ServerFactory, make_user: UserFactory, database_url: str
):
    server = await make_server(worker=False, generate_rate_limit=0, stream_token_rate_limit=0)
    alice = await make_user(server)
    generation, other = await alice.generate(), await alice.generate("Build an online shop with a cart")
    replays = server.app[appkeys.STREAM_READS]._events
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async def connect(generation_id: str, last_event_id: int) -> aiohttp.ClientResponse:
            token = (await alice.stream_token(generation_id)).body
            params = {"token": token["sse_token"], "last_event_id": str(last_event_id)}
            return await http.get(server.url + token["stream_url"], params=params)

        async with table_locked(database_url, "generation_events") as admin:
            # a stream on another generation holds the replay statement, so the next two share the next one
            holder = asyncio.create_task(connect(other["id"], 0))
            await blocked_backend(admin, "FROM generation_events")
            fresh = asyncio.create_task(connect(generation["id"], 0))
            resumed = asyncio.create_task(connect(generation["id"], 1))  # it has the queued event (1) already
            await wait_until(lambda: _now(replays.waiting == 2))
        responses = await asyncio.gather(holder, fresh, resumed)
        try:
            assert [r.status for r in responses] == [200, 200, 200]
            assert (await alice.call("POST", f"/api/generations/{generation['id']}/cancel")).status == 200
            fresh_ids = [e.id async for e in read_events(responses[1])]
            resumed_ids = [e.id async for e in read_events(responses[2])]
            # connected (its id: the last event the stream has), the replay after it, the cancellation
            assert fresh_ids == [0, 1, 2]
            assert resumed_ids == [1, 2]
            assert replays.batches == 2
        finally:
            for response in responses:
                response.close()
