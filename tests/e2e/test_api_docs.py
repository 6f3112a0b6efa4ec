"""/api/docs in Chromium: Swagger UI renders the contract under a Content-Security-Policy of default-src 'self'."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e


async def test_api_docs_render_with_only_our_own_scripts(e2e_server, tab):
    page = tab.page

    async def with_csp(route):
        # the policy issue 15's middleware sends (default-src 'self'): no inline script may be needed
        response = await route.fetch()
        headers = {**response.headers, "content-security-policy": "default-src 'self'"}
        await route.fulfill(response=response, headers=headers)

    await page.route("**/api/docs", with_csp)
    await page.goto(e2e_server.url + "/api/docs")
    await expect(page.locator(".opblock-summary-path", has_text="/api/generations/generate").first).to_be_visible()
    assert await page.locator(".opblock").count() >= 15
    origin = urlsplit(e2e_server.url).netloc
    others = [r.url for r in tab.requests if urlsplit(r.url).scheme in ("http", "https")
              and urlsplit(r.url).netloc != origin]
    assert others == [], others
