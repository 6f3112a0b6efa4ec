"""The browser client's screens, end to end in Chromium against the real app."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import PASSWORD, keep_docs_screenshot

pytestmark = pytest.mark.e2e

PHASED = ["planning", "architecture", "generating", "reviewing", "finalizing"]

# every change of a stage's state in the checklist, with the page's clock
STAGE_RECORDER = """
window.__stageLog = [];
new MutationObserver((records) => {
  for (const r of records) {
    const li = r.target;
    if (li.matches && li.matches('.stages li')) {
      window.__stageLog.push([performance.now(), li.dataset.stage, li.dataset.state]);
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
"""


async def jwt_of(tab) -> str:
    return await tab.page.evaluate("sessionStorage.getItem('codegen.token')")


async def assert_labelled(page) -> None:
    unlabelled = await page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden' && !el.classList.contains('visually-hidden'))
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map((el) => el.outerHTML)"""
    )
    assert unlabelled == []


async def assert_fits(page, width: int) -> None:
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow}px wide at a {width}px viewport"


async def test_sign_up_generate_watch_open_and_download(e2e_server, tab):
    page = tab.page
    await page.add_init_script(STAGE_RECORDER)
    await page.goto(e2e_server.url + "/")
    # signed out, the root is the landing view; its Sign in link leads on
    await expect(page.locator("section.landing")).to_be_visible()
    await page.locator("section.landing").get_by_role("link", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"#/login$"))
    await expect(page.locator("h1")).to_have_text("Sign in")
    await tab.screenshot("sign-in")

    # sign up
    await page.get_by_role("link", name="Create one").click()
    await expect(page.locator("h1")).to_have_text("Create an account")
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator("h1")).to_have_text("New generation")
    await expect(page.locator("#who")).to_have_text(email)

    # the 10-character minimum, before anything is sent
    prompt = page.get_by_label("What should be built?")
    submit = page.get_by_role("button", name="Generate")
    await expect(submit).to_be_disabled()
    await prompt.fill("Too short")
    await expect(submit).to_be_disabled()
    await expect(page.locator(".counter")).to_contain_text("write 1 more")
    text = "Create a REST API for a bookshop with authors and orders"
    await prompt.fill(text)
    await expect(submit).to_be_enabled()
    await page.get_by_label("Phased").check()
    await page.get_by_label("Additional requirements").fill("Use SQLite\n\n  Add tests  \n")
    await expect(page.get_by_label("Project")).to_have_value("")
    await assert_labelled(page)
    await tab.screenshot("new-generation")

    async with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/api/generations/generate")
    ) as sent:
        await submit.click()
    assert json.loads((await sent.value).post_data) == {
        "prompt": text,
        "project_id": None,
        "context": {"additional_requirements": ["Use SQLite", "Add tests"]},
        "generation_mode": "phased",
        "is_iteration": False,
        "parent_generation_id": None,
    }

    # the live view: the stages tick one by one
    await expect(page.locator(".stages li")).to_have_count(5)
    assert await page.locator(".stages li").evaluate_all("items => items.map(li => li.dataset.stage)") == PHASED
    await expect(page.locator(".stages li[data-state=done]").first).to_be_visible()
    await expect(page.locator(".status-line")).to_have_attribute("aria-live", "polite")
    await expect(page.locator("[role=progressbar]")).not_to_have_attribute("aria-valuenow", "0")
    if await page.locator(".live").count():
        keep_docs_screenshot(await tab.screenshot("live", full_page=False))

    # the result
    await expect(page.locator(".result-panes button.file").first).to_be_visible(timeout=20_000)
    gid = page.url.rsplit("/", 1)[1]
    log = await page.evaluate("window.__stageLog")
    first_done = {}
    first_active = {}
    for at, stage, state in log:
        first_done.setdefault(stage, at) if state == "done" else None
        first_active.setdefault(stage, at) if state == "active" else None
    assert [s for s in PHASED if s in first_done] == PHASED, log
    assert [first_done[s] for s in PHASED] == sorted(first_done[s] for s in PHASED)
    assert first_done["planning"] < first_active["finalizing"], "the stages arrived all at once"
    await expect(page.locator("blockquote.prompt")).to_have_text(text)
    await expect(page.locator("[data-fact='status']")).to_have_text("completed")

    token = await jwt_of(tab)
    status, body = await e2e_server.call("GET", f"/api/generations/{gid}/files", token)
    assert status == 200
    files = {f["path"]: f for f in body["files"]}
    shown = await page.locator(".result-panes button.file").evaluate_all("bs => bs.map(b => b.dataset.path)")
    assert sorted(shown) == sorted(files)

    # open a file: highlighted, exactly its content
    python = [p for p in files if p.endswith(".py")]
    path = max(python or files, key=lambda p: len(files[p]["content"]))
    await page.locator(f'.result-panes button.file[data-path="{path}"]').click()
    await expect(page.locator(".viewer .file-path")).to_have_text(path)
    code = page.locator(".viewer .source code")
    assert await code.evaluate("c => c.textContent") == files[path]["content"]
    if path.endswith(".py"):
        assert await page.locator(".viewer .source code span.tok-keyword").count() > 0
    await tab.screenshot("result")

    # copy
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=e2e_server.url)
    await page.get_by_role("button", name="Copy").click()
    await expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    assert await page.evaluate("navigator.clipboard.readText()") == files[path]["content"]

    # download: a zip with every file, fetched with the Authorization header
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download zip").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(await download.path()).read_bytes())) as archive:
        names = archive.namelist()
        prefix = names[0].split("/")[0] + "/" if all("/" in n for n in names) else ""
        by_path = {n[len(prefix) :]: archive.read(n).decode() for n in names}
    assert by_path == {p: f["content"] for p, f in files.items()}

    # no token usage for the template generator; the messages stay below the result
    await expect(page.locator("[data-fact='token usage']")).to_have_count(0)
    assert await page.locator(".progress-log .log li").count() >= 6

    # sign out
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("h1")).to_have_text("Sign in")
    await expect(page.locator(".notice")).to_have_text("You are signed out.")
    assert await jwt_of(tab) is None
    # a failed sign-in then says one thing: the error, not the error and "You are signed out."
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Invalid email or password")
    await expect(page.locator(".notice")).to_have_count(0)


async def test_iterate_shows_changed_files_and_the_diff(e2e_server, tab):
    page = tab.page
    account = await e2e_server.register()
    parent = await e2e_server.generate(
        account, "Create a REST API for a bookshop with authors", generation_mode="unified"
    )
    await e2e_server.wait_for(account, parent["id"], {"completed"})
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{parent['id']}")
    await expect(page.locator(".result-panes button.file").first).to_be_visible()
    await expect(page.locator(".result-panes .change")).to_have_count(0)  # not an iteration: no badges

    form = page.locator("form.iterate")
    await form.get_by_label("What should change?").fill("Add a nickname field to authors")
    await form.get_by_label("Unified").check()
    async with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/api/generations/generate")
    ) as sent:
        await form.get_by_role("button", name="Iterate").click()
    payload = json.loads((await sent.value).post_data)
    assert payload["is_iteration"] is True
    assert payload["parent_generation_id"] == parent["id"]
    assert payload["project_id"] == parent["project_id"]

    await expect(page).not_to_have_url(re.compile(f"#/g/{parent['id']}$"))
    await expect(page.locator("[data-fact='status']")).to_have_text("completed", timeout=20_000)
    await expect(page.locator(".result-panes button.file").first).to_be_visible()
    child_id = page.url.rsplit("/", 1)[1]
    await expect(page.locator("[data-fact='iteration of'] a")).to_have_attribute("href", f"#/g/{parent['id']}")

    status, body = await e2e_server.call("GET", f"/api/generations/{child_id}/files", account.token)
    assert status == 200
    changes = {f["path"]: f["change"] for f in body["files"]}
    shown = dict(
        await page.locator(".result-panes button.file").evaluate_all(
            "bs => bs.map(b => [b.dataset.path, b.dataset.change])"
        )
    )
    assert shown == changes
    changed = sorted(p for p, c in changes.items() if c != "unchanged")
    assert changed, "the iteration changed nothing"
    badges = await page.locator(".result-panes button.file .change").evaluate_all(
        "bs => bs.map(b => b.closest('button').dataset.path + ':' + b.textContent)"
    )
    assert sorted(badges) == sorted(f"{p}:{changes[p]}" for p in changed)

    # the whole diff, as the API gives it, and one file's part of it
    status, diff = await e2e_server.call("GET", f"/api/generations/{child_id}/diff", account.token)
    assert status == 200
    diff = diff.decode()
    whole = page.locator(".diff-all")
    await whole.locator("summary").click()
    assert (await whole.locator("pre.diff").evaluate("p => p.textContent")).rstrip("\n") == diff.rstrip("\n")
    modified = next((p for p in changed if changes[p] != "deleted"), None)
    if modified:
        await page.locator(f'.result-panes button.file[data-path="{modified}"]').click()
        await page.locator(".viewer").get_by_role("button", name="Changes").click()
        part = await page.locator(".viewer pre.diff").evaluate("p => p.textContent")
        assert f"+++ b/{modified}" in part
        assert all(line in diff for line in part.rstrip("\n").split("\n"))
    await tab.screenshot("iteration")


async def test_cancel_a_running_generation(e2e_server, tab):
    page = tab.page
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "[hold] Build a slow marketplace for gamers")
    gid = generation["id"]
    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{gid}")
    await expect(page.locator(".connection")).to_have_text("Live: progress arrives as it happens.")
    await expect(page.locator(".stages li[data-state=active]")).to_have_count(1)
    await tab.screenshot("live-before-cancel")

    await page.get_by_role("button", name="Cancel generation").click()
    await expect(page.locator("h2", has_text="This generation was cancelled")).to_be_visible()
    await expect(page.locator("[data-fact='status']")).to_have_text("cancelled")
    assert (await e2e_server.generation(account, gid))["status"] == "cancelled"
    assert [r.status for r in e2e_server.served("/cancel")] == [200]
    assert len(e2e_server.served("/stream-token")) == 1
    requests = len(tab.api_requests())
    await page.wait_for_timeout(500)
    assert len(tab.api_requests()) == requests  # the stream is closed, nothing retries
    assert await page.evaluate("async () => (await import('/static/stream.js')).activeStreams()") == []
    await tab.screenshot("cancelled")

    # cancelling again is refused with the server's words
    status, body = await e2e_server.call("POST", f"/api/generations/{gid}/cancel", account.token)
    assert status == 409 and "cancelled" in body["detail"]


async def test_history_lists_projects_and_generations_newest_first(e2e_server, tab):
    page = tab.page
    account = await e2e_server.register()
    first = await e2e_server.generate(
        account, "Create a REST API for a bookshop with authors", generation_mode="unified"
    )
    await e2e_server.wait_for(account, first["id"], {"completed"})
    second = await e2e_server.generate(
        account,
        "Add a nickname field to authors",
        generation_mode="unified",
        is_iteration=True,
        parent_generation_id=first["id"],
    )
    third = await e2e_server.generate(account, "[fail] Build a chat app for gamers <b>now</b>")
    await e2e_server.wait_for(account, second["id"], {"completed"})
    await e2e_server.wait_for(account, third["id"], {"failed"})
    await tab.sign_in(e2e_server, account)

    await tab.open(e2e_server, "#/history")
    await expect(page.locator("h1")).to_have_text("History")
    everything = page.locator("ol[aria-label='Recent generations'] li.generation-row")
    await expect(everything).to_have_count(3)
    assert await everything.evaluate_all("rows => rows.map(r => [r.dataset.generationId, r.dataset.status])") == [
        [third["id"], "failed"],
        [second["id"], "completed"],
        [first["id"], "completed"],
    ]
    await expect(everything.first.locator("a")).to_have_text("[fail] Build a chat app for gamers <b>now</b>")

    projects = page.locator(".projects details")
    await expect(projects).to_have_count(2)
    bookshop = page.locator(f".projects details[data-project-id='{first['project_id']}']")
    if not await bookshop.evaluate("d => d.open"):
        await bookshop.locator("summary").click()
    rows = bookshop.locator("li.generation-row")
    await expect(rows).to_have_count(2)
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.generationId)") == [second["id"], first["id"]]
    await tab.screenshot("history")

    await page.set_viewport_size({"width": 375, "height": 800})
    await assert_fits(page, 375)
    await tab.screenshot("history-375")

    # a row opens its generation
    await everything.nth(1).locator("a").click()
    await expect(page).to_have_url(re.compile(f"#/g/{second['id']}$"))
    await expect(page.locator(".result-panes button.file").first).to_be_visible()
    await assert_fits(page, 375)
    await tab.screenshot("result-375")


async def test_token_usage_is_shown_when_present(e2e_server, tab):
    account = await e2e_server.register()
    generation = await e2e_server.generate(account, "Create a small notes API with tags", generation_mode="unified")
    gid = generation["id"]
    await e2e_server.wait_for(account, gid, {"completed"})
    await tab.sign_in(e2e_server, account)

    async def with_usage(route):
        response = await route.fetch()
        body = await response.json()
        body["usage"] = {"prompt_tokens": 1200, "completion_tokens": 3400}  # as an LLM generation has
        await route.fulfill(response=response, json=body)

    await tab.page.route(f"**/api/generations/{gid}", with_usage)
    await tab.open(e2e_server, f"#/g/{gid}")
    await expect(tab.page.locator("[data-fact='token usage']")).to_have_text(
        "1,200 prompt + 3,400 completion = 4,600 tokens"
    )


async def test_errors_are_readable(e2e_server, tab):
    page = tab.page
    account = await e2e_server.register()
    await tab.open(e2e_server, "#/login")

    async def sign_in_form(email: str, password: str) -> None:
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(password)
        await page.locator("form button[type=submit]").click()

    await sign_in_form(account.email, "not the password")
    await expect(page.get_by_role("alert")).to_have_text("Invalid email or password")

    await page.get_by_role("link", name="Create one").click()
    # the sign-up screen replaces the form: fill the new one, not the one on its way out
    await expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    await sign_in_form(account.email, PASSWORD)
    await expect(page.get_by_role("alert")).to_have_text("Email already registered")
    await sign_in_form("someone@nowhere", PASSWORD)  # the server's 422 list, in words
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("email: ")
    assert "[object Object]" not in await alert.text_content()

    formatted = await page.evaluate(
        """async () => {
            const { formatDetail } = await import('/static/api.js');
            return [
              formatDetail([{type: 'string_too_short', loc: ['body', 'prompt'],
                             msg: 'String should have at least 10 characters', input: 'short'}]),
              formatDetail([{type: 'missing', loc: ['query', 'token'], msg: 'Field required', input: null},
                            {type: 'uuid_parsing', loc: ['path', 'generation_id'], msg: 'Input should be a valid UUID'}]),
              formatDetail({unexpected: 'shape'}),
            ];
        }"""
    )
    assert formatted == [
        "prompt: String should have at least 10 characters",
        "token: Field required; generation_id: Input should be a valid UUID",
        '{"unexpected":"shape"}',
    ]

    await tab.sign_in(e2e_server, account)
    await tab.open(e2e_server, f"#/g/{uuid.uuid4()}")
    await expect(page.get_by_role("alert")).to_have_text("Generation not found")
    await tab.open(e2e_server, "#/g/not-a-uuid")
    await expect(page.get_by_role("alert")).to_contain_text("generation_id: ")

    # the network is down for one request; a proxy answers with an HTML page for another
    await page.route("**/api/projects", lambda route: route.abort("connectionrefused"))
    await tab.open(e2e_server, "#/new")
    await expect(page.locator("#main")).to_contain_text(
        "Your projects could not be loaded: Cannot reach the server. Check your connection and try again."
    )
    await page.unroute("**/api/projects")
    await page.route(
        "**/api/generations?*",
        lambda route: route.fulfill(status=502, content_type="text/html", body="<html><h1>Bad Gateway</h1></html>"),
    )
    await tab.open(e2e_server, "#/history")
    await expect(page.get_by_role("alert").first).to_have_text("The server is unreachable (bad gateway) (HTTP 502)")

    # a session the server no longer accepts: back to sign in, saying why
    await page.evaluate("sessionStorage.setItem('codegen.token', 'not-a-jwt')")
    await tab.open(e2e_server, "#/new")
    await expect(page.locator("h1")).to_have_text("Sign in")
    await expect(page.locator(".notice")).to_have_text("Your session has ended. Sign in again to continue.")


async def test_keyboard_only_at_phone_width(e2e_server, tab):
    page = tab.page
    await page.set_viewport_size({"width": 375, "height": 740})
    account = await e2e_server.register()
    await tab.open(e2e_server, "#/login")
    await expect(page.locator("h1")).to_have_text("Sign in")

    async def tab_to(selector: str, limit: int = 25) -> None:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            if await page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", f"no visible focus on {selector}"
                return
        raise AssertionError(f"Tab never reached {selector}")

    await tab_to("input[type=email]")
    await page.keyboard.type(account.email)
    await tab_to("input[type=password]")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("New generation")
    await assert_fits(page, 375)

    await tab_to("textarea[name=prompt]")
    prompt = "Build a small recipe API with ingredients <script>window.__xss = 1</script>"
    await page.keyboard.type(prompt)
    await tab_to("input[type=radio][value=phased]")
    await page.keyboard.press("ArrowDown")  # radios move with the arrow keys: unified
    assert await page.evaluate("document.activeElement.value") == "unified"
    await tab.screenshot("new-generation-375")
    await tab_to("button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator(".stages li")).to_have_count(2)  # unified: generating, finalizing
    await assert_fits(page, 375)
    await expect(page.locator(".result-panes button.file").first).to_be_visible(timeout=20_000)
    await assert_fits(page, 375)
    # the markup in the prompt is shown, not run
    await expect(page.locator("blockquote.prompt")).to_have_text(prompt)
    assert await page.evaluate("window.__xss") is None

    # open a file with the keyboard
    await tab_to(".result-panes button.file")
    path = await page.evaluate("document.activeElement.dataset.path")
    await page.keyboard.press("Enter")
    await expect(page.locator(".viewer .file-path")).to_have_text(path)
    await assert_labelled(page)
