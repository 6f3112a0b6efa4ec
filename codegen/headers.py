"""Security headers on every answer: the API's, the client's pages and its static files.

A route that sets its own Content-Security-Policy keeps it (a preview page, say, with a stricter
policy and ``frame-ancestors 'self'``); every other header is set only where the route did not
set it either.
"""

from __future__ import annotations

from aiohttp import web

# What the browser client needs: its own scripts (modules, no inline script), its own styles (the
# CSSOM changes it makes are not inline styles), fetch and EventSource to its own origin, and the
# empty data: favicon. Nothing may frame it (clickjacking of cancel and delete).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # no Cross-Origin-Resource-Policy: a sandboxed preview (an opaque origin) loads its files from here
}
# no product version for scanners to match against advisories
SERVER = "codegen"


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER
