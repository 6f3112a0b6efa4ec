"""The streaming client's rules (codegen/static/stream.js), in Chromium against the real app.

Requests are counted on both sides: the server's record (``e2e_server.served``)
and the browser's (``tab.requests``), which also sees requests that Playwright
aborted before they reached the server.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest
from playwright.async_api import expect

from codegen import lifecycle

pytestmark = pytest.mark.e2e


async def test_the_clients_terminal_statuses_are_lifecycles(e2e_server, tab):
    """The one list the screens ask (isTerminal), as the browser loads it, is lifecycle.TERMINAL."""
    await tab.open(e2e_server, "")
    terminal = await tab.page.evaluate(
        """async () => {
            const m = await import('/static/stream.js');
            return { listed: [...m.TERMINAL_STATUSES], asked: ['pending', 'processing', 'completed', 'failed', 'cancelled']
                .filter((status) => m.isTerminal(status)) };
        }"""
    )
    assert set(terminal["listed"]) == set(terminal["asked"]) == {s.value for s in lifecycle.TERMINAL}


async def test_completed_generation_opens_no_stream(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "Create a small notes API with tags", generation_mode="unified")
    await e2e_server.wait_for(account, generation["id"], {"completed"})
    await tab.sign_in(e2e_server, account)

    started = time.monotonic()
    await tab.open(e2e_server, f"#/g/{generation['id']}")
    await expect(tab.page.locator(".result-panes button.file").first).to_be_visible()
    await tab.page.wait_for_timeout(600)

    assert tab.token_requests(started) == []
    assert tab.stream_requests(started) == []
    assert e2e_server.served("/stream-token") == []
    assert e2e_server.served("/stream") == []


async def test_failed_generation_one_token_request_no_stream(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[fail] Build a to-do list that cannot be built")
    gid = generation["id"]
    failed = await e2e_server.wait_for(account, gid, {"failed"})
    await tab.sign_in(e2e_server, account)

    # the page reads the generation as it was a moment before it failed
    await tab.stale_first_read(gid, status="processing", stage="planning", progress=0.1, error_message=None)
    started = time.monotonic()
    await tab.open(e2e_server, f"#/g/{gid}")

    # a 400 on the token request means "read it with GET": the failed generation itself, its error as
    # text (the markup in it is inert), and no banner about streaming
    await expect(tab.page.locator("h2", has_text="This generation failed")).to_be_visible()
    await expect(tab.page.locator("main")).to_contain_text(failed["error_message"])
    await expect(tab.page.locator("main")).not_to_contain_text("Cannot stream")
    await tab.page.wait_for_timeout(1500)  # longer than any backoff would wait

    tokens = e2e_server.served("/stream-token")
    assert [r.status for r in tokens] == [400]
    assert e2e_server.served("/stream") == []
    assert len(tab.token_requests(started)) == 1
    assert tab.stream_requests(started) == []
    await tab.screenshot("failed")


async def test_rate_limited_token_stops_every_request(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation that stays in progress")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    limit = e2e_server.settings.stream_token_rate_limit
    for _ in range(limit):  # another tab (or script) used up this minute's tokens
        status, _body = await e2e_server.call("POST", f"/api/generations/generate/{gid}/stream-token", account.token)
        assert status == 200
    await tab.sign_in(e2e_server, account)

    started = time.monotonic()
    async with tab.page.expect_response(lambda r: r.url.endswith("/stream-token")) as answer:
        await tab.open(e2e_server, f"#/g/{gid}")
    response = await answer.value
    assert response.status == 429
    retry_after = int(response.headers["retry-after"])
    wait = f"{retry_after} second" if retry_after < 60 else "1 minute"

    alert = tab.page.locator(".stream-problems [role=alert]")
    await expect(alert).to_contain_text("Too many token requests")
    await expect(alert).to_contain_text(f"reconnect in {wait}")
    reconnect = tab.page.get_by_role("button", name="Reconnect")
    await expect(reconnect).to_be_disabled()
    await tab.page.wait_for_timeout(2500)

    requests = tab.api_requests(started)
    assert requests[-1].path.endswith("/stream-token"), [r.path for r in requests]
    assert len(tab.token_requests(started)) == 1
    assert tab.stream_requests(started) == []
    assert [r.status for r in e2e_server.served("/stream-token")][-1] == 429
    assert len(e2e_server.served("/stream-token")) == limit + 1
    await tab.screenshot("rate-limited")


async def test_stream_cut_three_times_resumes_without_loss_or_repeat(e2e_server, tab):
    account = await e2e_server.register()
    await tab.sign_in(e2e_server, account)
    e2e_server.cut_streams[:] = [1, 1, 1]  # each of the first three connections drops after one event
    generation = await e2e_server.generate(account, "Create a REST API for a library with loans and members")
    gid = generation["id"]

    await tab.open(e2e_server, f"#/g/{gid}")
    await expect(tab.page.locator(".result-panes button.file").first).to_be_visible(timeout=20_000)

    assert e2e_server.cuts_done == 3
    events = await tab.page.eval_on_selector_all(
        ".log li", "items => items.map(li => [Number(li.dataset.eventId), li.dataset.stage])"
    )
    ids = [event_id for event_id, _stage in events]
    assert ids == list(range(1, len(ids) + 1)), events  # nothing lost, nothing twice, in order
    assert events[-1][1] == "complete"
    stages = [stage for _id, stage in events]
    for stage in ("planning", "architecture", "generating", "reviewing", "finalizing"):
        assert stage in stages

    streams = e2e_server.served("/stream")
    tokens = e2e_server.served("/stream-token")
    assert len(streams) == 4 and len(tokens) == 4
    assert "last_event_id" not in streams[0].query
    # each reconnection asks for what came after the last event it had
    for stream in streams[1:]:
        assert "last_event_id=" in stream.query
    resumed_from = [int(s.query.split("last_event_id=")[1].split("&")[0]) for s in streams[1:]]
    assert resumed_from == sorted(resumed_from) and resumed_from[0] >= 1
    assert len({s.query.split("token=")[1].split("&")[0] for s in streams}) == 4  # a new token each time


async def test_stream_that_keeps_failing_gives_up_after_five_retries(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation whose stream never gets through")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    await tab.page.route("**/stream?*", lambda route: route.abort("connectionreset"))
    # jitter off (its range is checked below), so the waits are 100, 200, 400, 800, 1600 ms;
    # the page notes when each stream fails and when each token request leaves
    await tab.page.add_init_script(
        """Math.random = () => 0.5;
        window.__tokenTimes = [];
        window.__errorTimes = [];
        const realFetch = window.fetch;
        window.fetch = (input, init) => {
            if (String(input).endsWith('/stream-token')) window.__tokenTimes.push(performance.now());
            return realFetch(input, init);
        };
        const RealEventSource = window.EventSource;
        window.EventSource = class extends RealEventSource {
            constructor(...args) {
                super(...args);
                this.addEventListener('error', () => window.__errorTimes.push(performance.now()));
            }
        };"""
    )
    await tab.sign_in(e2e_server, account)

    started = time.monotonic()
    await tab.open(e2e_server, f"#/g/{gid}")
    reconnect = tab.page.get_by_role("button", name="Reconnect")
    await expect(reconnect).to_be_visible(timeout=10_000)
    await expect(reconnect).to_be_enabled()
    await expect(tab.page.locator(".stream-problems [role=alert]")).to_contain_text("Gave up after 5 attempts")
    await tab.page.wait_for_timeout(1000)

    tokens = e2e_server.served("/stream-token")
    assert len(tokens) == 6  # the first try and five retries
    assert all(r.status == 200 for r in tokens)
    assert e2e_server.served("/stream") == []  # every stream request was cut before the server
    assert len(tab.stream_requests(started)) == 6
    # growing gaps: from each failure to the next token request, 100, 200, 400, 800, 1600 ms
    tokens_at, errors_at = await tab.page.evaluate("[window.__tokenTimes, window.__errorTimes]")
    assert len(tokens_at) == 6 and len(errors_at) == 6
    waits = [token - error for error, token in zip(errors_at, tokens_at[1:])]
    assert all(later > earlier for earlier, later in itertools.pairwise(waits)), waits
    # never sooner than its delay; how much later a timer fires is the machine's load, not bounded here
    # (the delays themselves are checked exactly below, as backoffDelay computes them)
    for wait, expected in zip(waits, [100, 200, 400, 800, 1600]):
        assert wait >= expected - 5, waits
    gaps = [b - a for a, b in itertools.pairwise(tokens_at)]
    assert gaps[-1] > 2 * gaps[0] and sum(gaps) >= 3100, gaps
    # with jitter: base * 2^(n-1) * [0.8, 1.2), so consecutive delays always grow
    delays = await tab.page.evaluate(
        """async () => {
            const { backoffDelay } = await import('/static/stream.js');
            return [1, 2, 3, 4, 5].map((n) => [backoffDelay(n, 1000, () => 0), backoffDelay(n, 1000, () => 0.999999)]);
        }"""
    )
    assert delays == [[800, 1200], [1600, 2400], [3200, 4800], [6400, 9600], [12800, 19200]]
    await tab.screenshot("gave-up")

    # the Reconnect button starts over: one more token, with the counter reset
    before = len(tokens)
    await reconnect.click()
    for _ in range(50):
        if len(e2e_server.served("/stream-token")) > before:
            break
        await tab.page.wait_for_timeout(100)
    assert len(e2e_server.served("/stream-token")) == before + 1


async def test_repeated_event_ids_are_ignored(e2e_server, tab):
    """stream.js drops an event whose id is not greater than the last one seen."""
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation for a replayed stream")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    await tab.sign_in(e2e_server, account)

    def frame(event_id, status, stage, progress, message):
        data = {
            "generation_id": gid,
            "status": status,
            "stage": stage,
            "progress": progress,
            "message": message,
            "timestamp": time.time(),
        }
        return f"id: {event_id}\ndata: {json.dumps(data)}\n\n"

    body = "".join(
        [
            frame(0, "processing", "connected", 0.0, "Stream connected"),
            frame(1, "processing", "planning", 0.1, "one"),
            frame(2, "processing", "architecture", 0.3, "two"),
            frame(2, "processing", "architecture", 0.3, "two again"),
            frame(1, "processing", "planning", 0.1, "one again"),
            frame(3, "cancelled", "cancelled", 0.3, "three"),
        ]
    )

    async def token(route):
        await route.fulfill(
            json={
                "sse_token": "t",
                "expires_in": 60,
                "generation_id": gid,
                "stream_url": f"/api/generations/generate/{gid}/stream",
            }
        )

    async def stream(route):
        # the generation really ends, so the result the client loads afterwards agrees
        await e2e_server.call("POST", f"/api/generations/{gid}/cancel", account.token)
        await route.fulfill(status=200, content_type="text/event-stream", body=body)

    await tab.page.route("**/stream-token", token)
    await tab.page.route("**/stream?*", stream)
    await tab.open(e2e_server, f"#/g/{gid}")
    await expect(tab.page.locator("h2", has_text="This generation was cancelled")).to_be_visible()
    messages = await tab.page.eval_on_selector_all(".log li .log-message", "items => items.map(i => i.textContent)")
    assert messages == ["one", "two", "three"]


async def test_progress_never_goes_down_after_connected(e2e_server, tab):
    """`connected` carries the current progress, the replay after it starts lower: the snapshots
    stream.js hands out (and the progress bar) never go down."""
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation whose stream replays its history")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    await tab.sign_in(e2e_server, account)

    def frame(event_id, stage, progress):
        data = {"generation_id": gid, "status": "processing", "stage": stage, "progress": progress,
                "message": stage, "timestamp": time.time()}
        return f"id: {event_id}\ndata: {json.dumps(data)}\n\n"

    body = frame(0, "connected", 0.3) + frame(1, "planning", 0.0) + frame(2, "planning", 0.1) \
        + frame(3, "architecture", 0.3) + frame(4, "generating", 0.5)

    async def token(route):
        await route.fulfill(json={"sse_token": "t", "expires_in": 60, "generation_id": gid,
                                  "stream_url": f"/api/generations/generate/{gid}/stream"})

    async def stream(route):
        await route.fulfill(status=200, content_type="text/event-stream", body=body)

    await tab.page.route("**/stream-token", token)
    await tab.page.route("**/stream?*", stream)
    await tab.open(e2e_server, "#/history")
    seen = await tab.page.evaluate(
        """async (id) => {
            const m = await import('/static/stream.js');
            const seen = [];
            await new Promise((resolve) => {
              const w = m.watchGeneration(id, {
                onStatus(s) { seen.push(s.progress); if (seen.length === 5) { w.close(); resolve(); } },
              });
            });
            return seen;
        }""",
        gid,
    )
    assert seen == [0.3, 0.3, 0.3, 0.3, 0.5]


async def test_one_stream_per_generation_per_tab(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation watched twice in one tab")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{gid}")
    await expect(tab.page.locator(".connection")).to_have_text("Live: progress arrives as it happens.")

    streams = await tab.page.evaluate(
        """async (id) => {
            const m = await import('/static/stream.js');
            const second = m.watchGeneration(id, {});
            const count = m.activeStreams().filter((x) => x === id).length;
            second.close();  // the page's own watcher keeps the stream open
            return [count, m.activeStreams().length];
        }""",
        gid,
    )
    assert streams == [1, 1]
    await tab.page.wait_for_timeout(300)
    assert len(e2e_server.served("/stream-token")) == 1
    assert len(e2e_server.served("/stream")) == 1

    # leaving the page closes the stream; coming back opens exactly one again
    await tab.open(e2e_server, "#/history")
    await expect(tab.page.locator("h1")).to_have_text("History")
    assert await tab.page.evaluate("async () => (await import('/static/stream.js')).activeStreams().length") == 0
    await tab.page.go_back()
    await expect(tab.page.locator(".connection")).to_have_text("Live: progress arrives as it happens.")
    assert len(e2e_server.served("/stream")) == 2
    assert await tab.page.evaluate("async () => (await import('/static/stream.js')).activeStreams().length") == 1
