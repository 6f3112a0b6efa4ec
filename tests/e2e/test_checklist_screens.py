"""The requirements checklist in the browser (issue 13): result summary, history counts, examples, the race."""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e

MIXED = "A Flask REST API for books with title and price. Use PostgreSQL. GET /summary returns totals per author"


async def test_result_leads_with_what_was_built_and_the_checklist(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, MIXED, generation_mode="unified")
    done = await e2e_server.wait_for(account, generation["id"], {"completed"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{generation['id']}")

    outcome = tab.page.locator("section.outcome")
    await expect(outcome).to_be_visible()
    # the summary comes before the files
    first_card = tab.page.locator(".generation-body > section").first
    await expect(first_card).to_have_class("card outcome")
    await expect(outcome.locator("[data-slot=tests]")).to_have_count(1)

    items = outcome.locator("li.requirement")
    await expect(items).to_have_count(len(done["requirements"]))
    # (case-sensitive: the unmet clause "get /summary returns totals per author" is listed too)
    unmet = outcome.locator("li.requirement[data-status=unmet]", has_text=re.compile("GET /summary"))
    await expect(unmet).to_contain_text("not done")
    substituted = outcome.locator("li.requirement[data-status=substituted]", has_text="postgresql")
    await expect(substituted).to_contain_text("substituted")
    await expect(substituted).to_contain_text("SQLite")
    met = outcome.locator("li.requirement[data-status=met]", has_text="books with title and price")
    await expect(met).to_contain_text("app/models.py")
    # nothing substituted or unmet reads as met
    for text in ("GET /summary", "postgresql"):
        await expect(outcome.locator("li.requirement[data-status=met]", has_text=text)).to_have_count(0)
    await tab.screenshot("checklist")


async def test_history_shows_what_was_not_done(e2e_server, tab):
    account = await e2e_server.register()
    mixed = await e2e_server.generate(account, MIXED, generation_mode="unified")
    clean = await e2e_server.generate(account, "A todo list API with tasks that have a title and a due_date",
                                      generation_mode="unified")
    done = await e2e_server.wait_for(account, mixed["id"], {"completed"})
    await e2e_server.wait_for(account, clean["id"], {"completed"})
    unmet = sum(1 for item in done["requirements"] if item["status"] == "unmet")
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, "#/history")

    row = tab.page.locator(f"li.generation-row[data-generation-id='{mixed['id']}']").first
    await expect(row.locator(".requirement-counts")).to_contain_text(f"{unmet} not done")
    await expect(row.locator(".requirement-counts")).to_contain_text("1 substituted")
    clean_row = tab.page.locator(f"li.generation-row[data-generation-id='{clean['id']}']").first
    await expect(clean_row).to_be_visible()
    await expect(clean_row.locator(".requirement-counts")).to_have_count(0)


async def test_examples_and_placeholders_come_from_the_generator(e2e_server, tab):
    account = await e2e_server.register()
    status, info = await e2e_server.call("GET", "/api/generator")
    assert status == 200
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, "#/new")

    prompt = tab.page.get_by_label("What should be built?")
    await expect(prompt).to_have_attribute("placeholder", info["examples"][0])
    examples = tab.page.locator("button.example")
    await expect(examples).to_have_count(len(info["examples"]))
    await examples.nth(1).click()
    await expect(prompt).to_have_value(info["examples"][1])
    await expect(tab.page.locator("main")).not_to_contain_text("PostgreSQL")


async def test_a_generation_that_finished_before_its_stream_shows_its_result(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "A todo list API with tasks that have a title", generation_mode="unified")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"completed"})
    await tab.sign_in(e2e_server, account)

    # the first read sees the generation a moment before it completed, as over a slow network
    await tab.stale_first_read(gid, status="processing", stage="generating", progress=0.5, completed_at=None,
                               requirements=[])
    started = time.monotonic()
    await tab.open(e2e_server, f"#/g/{gid}")

    await expect(tab.page.locator("section.outcome")).to_be_visible()
    await expect(tab.page.locator(".result-panes button.file").first).to_be_visible()
    assert [r.status for r in e2e_server.served("/stream-token")] == [400]
    await expect(tab.page.locator("main [role=alert]")).to_have_count(0)
    await expect(tab.page.locator("main")).not_to_contain_text("Cannot stream")
    assert tab.stream_requests(started) == []


async def test_a_web_page_runs_in_a_sandboxed_preview_without_network(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "A calculator web page", generation_mode="unified")
    await e2e_server.wait_for(account, generation["id"], {"completed"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{generation['id']}")

    iframe = tab.page.locator("section.preview iframe")
    await expect(iframe).to_have_attribute("sandbox", "allow-scripts")
    frame = tab.page.frame_locator("section.preview iframe")
    await expect(frame.locator("body")).to_contain_text("Calculator")
    handle = await iframe.element_handle()
    inner = await handle.content_frame()
    await inner.wait_for_load_state()
    # the page's own script runs (loaded from the preview link): the calculator calculates
    for key in ("7", "×", "6", "="):
        await frame.get_by_role("button", name=key, exact=True).click()
    await expect(frame.locator("#display")).to_have_text("42")
    # no network, and no access to the app's storage (opaque origin)
    tab.expect_csp_violations = True  # the preview's policy refusing this fetch is the point
    reached = await inner.evaluate(
        "fetch('/api/health').then(() => 'reached', () => 'blocked')"
    )
    assert reached == "blocked"
    storage = await inner.evaluate("(() => { try { return String(sessionStorage.length); } catch (e) { return 'denied'; } })()")
    assert storage == "denied"
    served = [r for r in e2e_server.requests if r.path.startswith("/preview/")]
    assert {r.path.rsplit("/", 1)[1] for r in served} >= {"index.html", "styles.css", "app.js"}
    assert all(r.status == 200 for r in served)
    assert not any(r.path == "/api/health" for r in e2e_server.requests)
    await tab.screenshot("preview")


async def test_signed_out_landing_says_what_it_does_and_its_examples_work(e2e_server, tab):
    _, info = await e2e_server.call("GET", "/api/generator")
    await tab.open(e2e_server, "")
    landing = tab.page.locator("section.landing")
    await expect(landing).to_contain_text("not done")
    for line in info["writes"]:
        await expect(landing).to_contain_text(line)
    examples = tab.page.locator("button.example")
    await expect(examples).to_have_count(len(info["examples"]))
    await tab.screenshot("landing")

    # an example leads to sign-up, then to a new generation with that prompt ready
    await examples.nth(2).click()
    await expect(tab.page.locator("h1")).to_have_text("Create an account")
    await tab.page.get_by_label("Email").fill(f"landing-{int(time.time() * 1000)}@example.com")
    await tab.page.get_by_label("Password").fill("correct horse battery")
    await tab.page.get_by_role("button", name="Create account").click()
    await expect(tab.page.locator("h1")).to_have_text("New generation")
    await expect(tab.page.get_by_label("What should be built?")).to_have_value(info["examples"][2])
    # and the example is served with every request met
    await tab.page.get_by_role("radio", name="Unified").check()
    await tab.page.get_by_role("button", name="Generate").click()
    outcome = tab.page.locator("section.outcome")
    await expect(outcome).to_be_visible(timeout=20_000)
    await expect(outcome.locator("li.requirement[data-status=met]").first).to_be_visible()
    await expect(outcome.locator("li.requirement:not([data-status=met])")).to_have_count(0)


async def test_a_project_reads_as_a_conversation_with_follow_ups(e2e_server, tab):
    account = await e2e_server.register()
    first = await e2e_server.generate(account, "A FastAPI REST API for tasks with title and done",
                                      generation_mode="unified")
    await e2e_server.wait_for(account, first["id"], {"completed"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{first['id']}")
    await tab.page.locator("[data-fact='conversation'] a").click()
    await expect(tab.page.locator("ol.thread > li.turn")).to_have_count(1)
    first_turn = tab.page.locator("ol.thread > li.turn").first
    await expect(first_turn.locator(".turn-prompt")).to_have_text(first["prompt"])
    await expect(first_turn.locator("li.requirement[data-status=met]", has_text="tasks with title and done")).to_be_visible()

    # a follow-up from the thread stays in the thread, and arrives as the next turn with its checklist and diff
    await tab.page.get_by_label("What should change?").fill("add a priority field to tasks")
    await tab.page.get_by_role("radio", name="Unified").check()
    await tab.page.get_by_role("button", name="Iterate").click()
    turns = tab.page.locator("ol.thread > li.turn")
    await expect(turns).to_have_count(2)
    second = turns.nth(1)
    await expect(second).to_have_attribute("data-status", "completed", timeout=20_000)
    await expect(second.locator(".turn-who")).to_have_text("Follow-up")
    await expect(second.locator("li.requirement[data-status=met]", has_text="priority")).to_be_visible()
    await second.locator("details.turn-changes summary").click()
    await expect(second.locator("details.turn-changes")).to_contain_text("priority: int")
    # a fresh form follows the newest result
    await expect(tab.page.get_by_label("What should change?")).to_have_value("")
    await expect(tab.page.get_by_role("button", name="Iterate")).to_be_disabled()
    await tab.screenshot("conversation")
