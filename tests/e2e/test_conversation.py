"""The conversation view (#/p/<project>) follows a running turn over its stream, never by polling (issue 13)."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e

FIRST = "A FastAPI REST API for tasks with title and done"

# every text the turn's stage line showed, and every file its code card listed, as the page changed them
RECORD_THE_LIVE_TURN = """() => {
  window.__stages = [];
  window.__liveFiles = [];
  const seen = () => {
    for (const line of document.querySelectorAll('.turn-live .turn-stage')) {
      if (window.__stages[window.__stages.length - 1] !== line.textContent) window.__stages.push(line.textContent);
    }
    for (const file of document.querySelectorAll('.turn-live .live-file')) {
      if (!window.__liveFiles.includes(file.dataset.path)) window.__liveFiles.push(file.dataset.path);
    }
  };
  new MutationObserver(seen).observe(document.querySelector('ol.thread'),
                                     {subtree: true, childList: true, characterData: true});
}"""


def reads_of(tab, generation_id: str, since: float) -> list:
    return [r for r in tab.api_requests(since) if r.method == "GET" and r.path == f"/api/generations/{generation_id}"]


async def test_a_follow_up_streams_into_the_thread_without_polling(e2e_server, tab):
    account = await e2e_server.register()
    first = await e2e_server.generate(account, FIRST, generation_mode="unified")
    await e2e_server.wait_for(account, first["id"], {"completed"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/p/{first['project_id']}")
    turns = tab.page.locator("ol.thread > li.turn")
    await expect(turns).to_have_count(1)
    await tab.page.evaluate(RECORD_THE_LIVE_TURN)

    # a phased follow-up: five stages of 0.35 s each, long enough for a 1.5 s poll to have shown itself
    await tab.page.get_by_label("What should change?").fill("add a priority field to tasks")
    await tab.page.get_by_role("radio", name="Phased").check()
    started = time.monotonic()
    async with tab.page.expect_response(lambda r: r.url.endswith("/api/generations/generate")) as created:
        await tab.page.get_by_role("button", name="Iterate").click()
    second_id = (await (await created.value).json())["id"]
    await expect(turns).to_have_count(2)
    second = turns.nth(1)
    await expect(second.locator(".turn-live [role=progressbar]")).to_be_visible()
    await expect(second).to_have_attribute("data-status", "completed", timeout=20_000)
    ended = time.monotonic()

    # the progress came over the stream: the stages in order, and the code as it was written
    stages = await tab.page.evaluate("window.__stages")
    assert [s for s in stages if s.startswith("Planning")], stages
    assert [s for s in stages if s.startswith("Reviewing")], stages
    assert stages.index(next(s for s in stages if s.startswith("Planning"))) < stages.index(
        next(s for s in stages if s.startswith("Reviewing"))
    )
    final = await e2e_server.generation(account, second_id)
    live_files = await tab.page.evaluate("window.__liveFiles")
    assert live_files and set(live_files) <= {f["path"] for f in final["files"]}, live_files

    # no polling: one token, one stream, and the turn read once, after it ended
    assert len([r for r in tab.token_requests(started) if second_id in r.path]) == 1
    assert len([r for r in tab.stream_requests(started) if second_id in r.path]) == 1
    reads = reads_of(tab, second_id, started)
    assert len(reads) == 1, [r.path for r in reads]
    stream_opened = next(r for r in tab.stream_requests(started) if second_id in r.path)
    assert reads[0].at > stream_opened.at
    assert not [r for r in tab.api_requests(started) if r.path.startswith("/api/projects/")]
    assert not [r for r in tab.api_requests(started) if r.at > ended and r.path == f"/api/generations/{first['id']}"]

    # the final state is the API's: its checklist, its status, its changes; the live parts are gone
    assert final["status"] == "completed"
    items = second.locator("li.requirement")
    await expect(items).to_have_count(len(final["requirements"]))
    for index, item in enumerate(final["requirements"]):
        await expect(items.nth(index)).to_have_attribute("data-status", item["status"])
        await expect(items.nth(index)).to_contain_text(item["text"])
    await expect(second.locator(".turn-live")).to_have_count(0)
    await expect(second.locator(".badge")).to_have_text("completed")
    await second.locator("details.turn-changes summary").click()
    await expect(second.locator("details.turn-changes")).to_contain_text("priority: int")
    await expect(tab.page.locator("main [role=alert]")).to_have_count(0)
    # a fresh follow-up form on the new result
    await expect(tab.page.get_by_label("What should change?")).to_have_value("")
    await tab.screenshot("conversation-streamed")


async def test_a_turn_that_finished_before_its_token_request_shows_its_result_without_a_banner(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, FIRST, generation_mode="unified")
    gid = generation["id"]
    final = await e2e_server.wait_for(account, gid, {"completed"})
    await tab.sign_in(e2e_server, account)
    # the page's first read sees the turn a moment before it completed, as over a slow network
    await tab.stale_first_read(gid, status="processing", stage="generating", progress=0.5, completed_at=None,
                               requirements=[], files=[])
    started = time.monotonic()
    await tab.open(e2e_server, f"#/p/{generation['project_id']}")

    turn = tab.page.locator("ol.thread > li.turn").first
    await expect(turn).to_have_attribute("data-status", "completed")
    await expect(turn.locator("li.requirement")).to_have_count(len(final["requirements"]))
    await expect(turn.locator("details.turn-files summary")).to_have_text(f"{len(final['files'])} files")
    assert [r.status for r in e2e_server.served("/stream-token", started)] == [400]
    assert tab.stream_requests(started) == []
    assert len(reads_of(tab, gid, started)) == 2  # the stale read, then the one after the 400
    await expect(tab.page.locator("main [role=alert]")).to_have_count(0)
    await expect(tab.page.locator("main")).not_to_contain_text("Cannot stream")
    await expect(tab.page.get_by_role("button", name="Iterate")).to_be_visible()


async def test_a_rate_limited_token_stops_the_turn_with_the_servers_words(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] A generation that stays in progress")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"processing"})
    for _ in range(e2e_server.settings.stream_token_rate_limit):  # another tab used up this minute's tokens
        status, _body = await e2e_server.call("POST", f"/api/generations/generate/{gid}/stream-token", account.token)
        assert status == 200
    await tab.sign_in(e2e_server, account)
    started = time.monotonic()
    async with tab.page.expect_response(lambda r: r.url.endswith("/stream-token")) as answer:
        await tab.open(e2e_server, f"#/p/{generation['project_id']}")
    assert (await answer.value).status == 429

    turn = tab.page.locator("ol.thread > li.turn").first
    alert = turn.locator(".stream-problems [role=alert]")
    await expect(alert).to_contain_text("Too many token requests")
    await expect(alert).to_contain_text("reconnect in")
    await expect(turn.get_by_role("button", name="Reconnect")).to_be_disabled()
    assert len(tab.token_requests(started)) == 1
    assert tab.stream_requests(started) == []
    assert len(reads_of(tab, gid, started)) == 1  # the page's first read; nothing polls
