"""/api/docs in Chromium: Swagger UI renders the contract under the service's own Content-Security-Policy
(codegen/headers.py; the tab fixture fails on any violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from codegen.headers import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.e2e


async def test_api_docs_render_with_only_our_own_scripts(e2e_server, tab):
    page = tab.page
    response = await page.goto(e2e_server.url + "/api/docs")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    await expect(page.locator(".opblock-summary-path", has_text="/api/generations/generate").first).to_be_visible()
    assert await page.locator(".opblock").count() >= 15
    origin = urlsplit(e2e_server.url).netloc
    others = [r.url for r in tab.requests if urlsplit(r.url).scheme in ("http", "https")
              and urlsplit(r.url).netloc != origin]
    assert others == [], others
