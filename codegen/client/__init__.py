"""The command-line client: ``codegen register/login/generate/iterate/watch/list/show/diff``.

It talks to a codegen server over the HTTP API only (docs/api.md), and
follows the same stream rules as the browser client (codegen/static/stream.js).
"""
