"""The code as the model writes it, in Chromium against the real app and a fake model at 50 updates a second."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import e2e_settings, serving
from tests.generators.fake_llm import API_KEY, MODEL, fake_llm, fenced, stream  # noqa: F401 - fake_llm is a fixture

pytestmark = pytest.mark.e2e

FILES = {
    "app/main.py": "".join(f"def handler_{i}(request):\n    return {{'n': {i}, 'ok': True}}\n\n" for i in range(14)),
    "README.md": "# Live\n\n" + "".join(f"- step {i}: <b>not markup</b> & more\n" for i in range(20)),
    "tests/test_main.py": "".join(f"def test_{i}():\n    assert {i} + 1 == {i + 1}\n\n" for i in range(12)),
}
LANGUAGES = {"app/main.py": "python", "README.md": "markdown", "tests/test_main.py": "python"}
# tasks over 50 ms (the Long Tasks API), with when they started
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: 'longtask', buffered: true });
"""


async def test_code_appears_as_it_is_written_smoothly_and_exactly(settings, tab, fake_llm):
    answer = "".join(fenced(path, content, language=LANGUAGES[path]) for path, content in FILES.items())
    reply = stream(answer, chunk_size=6)
    reply.delay = 0.02  # 50 updates a second
    reply.hang_after = len(reply.chunks)  # then the model stalls until released: the live view stays up
    fake_llm.add(reply)
    overrides = {
        "provider": "openai", "llm_base_url": fake_llm.url, "llm_api_key": API_KEY, "llm_model": MODEL,
        "llm_timeout_seconds": 60, "stage_delay": 0,
    }
    async with serving(e2e_settings(settings, **overrides)) as server:
        account = await server.register()
        await tab.page.context.add_init_script(OBSERVE_LONG_TASKS)
        await tab.sign_in(server, account)
        # the first stream drops after 20 writes of file content, while the files are being written
        server.cut_streams[:] = [-20]
        generation = await server.generate(account, "Write a small web app with tests", generation_mode="unified")
        await tab.open(server, f"#/g/{generation['id']}")
        page = tab.page

        # follow mode: the file being written is open and grows
        await expect(page.locator(".live-path")).to_have_text("app/main.py", timeout=20_000)
        started = await page.evaluate("performance.now()")
        first = len(await page.locator(".live-code").text_content())
        await page.wait_for_function("n => document.querySelector('.live-code').textContent.length > n", arg=first)
        await expect(page.locator('.live-tree button[data-path="README.md"]')).to_be_visible(timeout=20_000)
        await expect(page.locator(".live-path")).to_have_text("README.md")
        assert await page.locator('.live-tree button[data-path="app/main.py"]').get_attribute("data-done") == "true"
        await expect(page.locator('.live-tree button[data-done="true"]')).to_have_count(3, timeout=30_000)
        await expect(page.locator(".live-path")).to_have_text("tests/test_main.py")
        assert server.cuts_done == 1  # it reconnected meanwhile
        assert len(server.served("/stream")) == 2
        ended = await page.evaluate("performance.now()")
        long_tasks = await page.evaluate("window.__longTasks")
        assert [t for t in long_tasks if started <= t[0] <= ended] == []

        # scrolling up leaves follow mode; choosing a file shows it whole, as the model wrote it
        await page.locator(".live-code").evaluate("pre => { pre.scrollTop = 0; }")
        await expect(page.locator("button.follow")).to_have_attribute("aria-pressed", "false")
        for path, content in FILES.items():
            await page.locator(f'.live-tree button[data-path="{path}"]').click()
            await expect(page.locator(".live-path")).to_have_text(path)
            assert await page.locator(".live-code").text_content() == content
        await page.locator("button.follow").click()
        await expect(page.locator("button.follow")).to_have_attribute("aria-pressed", "true")
        assert await page.locator("img").count() == 0  # the README's markup is text
        await expect(page.get_by_role("button", name="Cancel generation")).to_be_enabled()

        # the model finishes: what the browser assembled is what the service stored
        fake_llm.release()
        await server.wait_for(account, generation["id"], {"completed"}, timeout=30)
        status, body = await server.call("GET", f"/api/generations/{generation['id']}/files", account.token)
        assert status == 200
        assert {f["path"]: f["content"] for f in body["files"]} == FILES
        await expect(page.locator(".result-panes button.file").first).to_be_visible(timeout=20_000)
        await tab.screenshot("live-code")
