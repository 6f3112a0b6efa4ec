"""/api/docs: Swagger UI on /api/openapi.json, every file served by the service (no CDN, no inline script)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import aiohttp

from tests.conftest import Server


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = not found.get("src")
            if found.get("src"):
                self.urls.append(found["src"] or "")
        if tag == "link" and found.get("rel") == "stylesheet":
            self.urls.append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


async def test_api_docs_page_and_its_assets_are_served_locally(server: Server, http: aiohttp.ClientSession) -> None:
    async with http.get(server.url + "/api/docs") as answer:
        assert answer.status == 200
        assert answer.content_type == "text/html"
        page = await answer.text()
    parsed = _Assets()
    parsed.feed(page)
    assert parsed.inline_scripts == [], "an inline script would be blocked by a Content-Security-Policy of 'self'"
    assert len(parsed.urls) == 3, parsed.urls
    assert not re.search(r"https?://", page), "the docs page must not load anything from another origin"
    kinds = {}
    for url in parsed.urls:
        assert url.startswith("/"), url
        async with http.get(server.url + url) as asset:
            assert asset.status == 200, url
            kinds[url.rsplit("/", 1)[-1]] = asset.content_type
            body = await asset.text()
        if url.endswith("api-docs.js"):
            assert "/api/openapi.json" in body
    assert kinds["swagger-ui.css"] == "text/css"
    # text/ or application/javascript, as the machine's mimetypes say
    assert kinds["swagger-ui-bundle.js"].endswith("javascript") and kinds["api-docs.js"].endswith("javascript")
    async with http.get(server.url + "/api/openapi.json") as document:
        assert document.status == 200
        assert "/api/generations/generate" in (await document.json())["paths"]


def test_docs_api_md_is_self_contained() -> None:
    """docs/api.md is the reference in the repository: no pointer to a file outside it."""
    from tests.hardening import ROOT

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "shared/" not in text and "seed/" not in text
    for link in re.findall(r"\]\(([^)#]+)", text):
        if not link.startswith(("http://", "https://")):
            assert (ROOT / "docs" / link).resolve().is_file(), link
    # the routes it documents are the service's
    for route in ("POST /api/auth/register", "GET /api/generations/{generation_id}/diff", "/api/openapi.json",
                  "/api/docs"):
        assert route in text, route
