"""The browser client under its Content-Security-Policy: it works, and injected script does not run."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from codegen.headers import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


async def test_the_client_works_under_its_policy(e2e_server, tab):
    page = tab.page
    response = await page.goto(e2e_server.url + "/#/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["server"] == "codegen"
    # sign up and run a generation to the end through the UI (the tab fixture fails on any refusal)
    # (test_screens walks every screen under the same policy; the tab fixture fails on any refusal)
    await page.get_by_role("link", name="Create one").click()
    await page.get_by_label("Email").fill(f"csp-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.get_by_label("What should be built?").fill("Create a REST API for books with a title and an author")
    await page.get_by_role("button", name="Generate").click()
    await expect(page.locator(".result-panes button.file").first).to_be_visible(timeout=20_000)
    await page.locator(".result-panes button.file").first.click()
    await expect(page.locator(".viewer .source code")).not_to_be_empty()
    assert tab.csp_violations == []


async def test_an_injected_inline_script_does_not_run(e2e_server, tab):
    page = tab.page
    await page.goto(e2e_server.url + "/#/login")
    tab.expect_csp_violations = True
    # what a markup injection would add: an inline script, an inline handler and a javascript: URL
    await page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = (window.injected || 0) + 1;';
            document.body.append(script);
            const holder = document.createElement('div');
            holder.innerHTML = '<img src="data:," onload="window.injected = (window.injected || 0) + 1">';
            document.body.append(holder);
        }"""
    )
    await page.wait_for_function("() => document.querySelector('img[onload]') && document.querySelector('img[onload]').complete")
    assert await page.evaluate("() => window.injected") is None
    assert any("inline script" in v or "script-src" in v for v in tab.csp_violations), tab.csp_violations
