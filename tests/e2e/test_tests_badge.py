"""The result screen shows the project's own test result (run in the sandbox), its output as text only."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e


async def test_passing_tests_show_their_count(e2e_tested_server, tab):
    account = await e2e_tested_server.register()
    generation = await e2e_tested_server.generate(account, "A command-line tool that counts words")
    final = await e2e_tested_server.wait_for(account, generation["id"], {"completed"}, timeout=120)
    assert final["tests"]["status"] == "passed"
    await tab.sign_in(e2e_tested_server, account)
    await tab.open(e2e_tested_server, f"#/g/{generation['id']}")
    badge = tab.page.locator("[data-fact='tests'] .badge")
    await expect(badge).to_have_text(f"{final['tests']['passed']} passed")
    await expect(badge).to_have_attribute("data-tests", "passed")


async def test_failing_tests_show_the_failure_as_text(e2e_tested_server, tab):
    account = await e2e_tested_server.register()
    generation = await e2e_tested_server.generate(account, "A project whose test fails [failing tests]")
    final = await e2e_tested_server.wait_for(account, generation["id"], {"completed"}, timeout=120)
    assert (final["tests"]["status"], final["tests"]["failed"]) == ("failed", 1)
    await tab.sign_in(e2e_tested_server, account)
    await tab.open(e2e_tested_server, f"#/g/{generation['id']}")
    await expect(tab.page.locator("[data-fact='tests'] .badge")).to_have_text("1 failed")
    await tab.page.locator(".test-output summary").click()
    output = tab.page.locator(".test-output pre")
    await expect(output).to_contain_text("<img src=x onerror=alert(1)><b>bold</b>")
    assert await tab.page.locator(".test-output img, .test-output b").count() == 0
