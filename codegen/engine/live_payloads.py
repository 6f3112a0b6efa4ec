"""The NOTIFY payloads that carry live file deltas between processes, each under MAX_PAYLOAD_BYTES.

A payload is ``{"s": sender, "d": [[generation, attempt, path, version, offset, text, done], ...]}``,
plus ``"c"`` (generations whose checkpoints were just saved) or ``"w"`` (generations this process's
streams follow, so their writer sends them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import orjson

# NOTIFY refuses payloads of 8,000 bytes or more; keep well clear
MAX_PAYLOAD_BYTES: Final = 7000


def payloads_for(sender: str, deltas: list[list[Any]], saved: list[str]) -> list[str]:
    """NOTIFY payloads of at most MAX_PAYLOAD_BYTES; a delta too long for one is cut into several."""
    payloads: list[str] = []
    items: list[bytes] = []
    size = 0
    head = b'{"s":"%s","d":[' % sender.encode()

    def close() -> None:
        nonlocal items, size
        if items:
            payloads.append((head + b",".join(items) + b"]}").decode())
        items, size = [], 0

    room = MAX_PAYLOAD_BYTES - len(head) - 300
    for delta in _cut(deltas, room):
        item = orjson.dumps(delta)
        if size + len(item) + 1 > room:
            close()
        items.append(item)
        size += len(item) + 1
    close()
    # the checkpoint marks go last: every delta before them is in the rows they name
    return payloads + chunked_payloads(sender, "c", saved)


def chunked_payloads(sender: str, key: str, ids: list[str]) -> list[str]:
    """Payloads naming ``ids`` under ``key``, each under MAX_PAYLOAD_BYTES (40 bytes an id)."""
    step = (MAX_PAYLOAD_BYTES - 100) // 40
    return [
        orjson.dumps({"s": sender, "d": [], key: ids[start:start + step]}).decode() for start in range(0, len(ids), step)
    ]


def _cut(deltas: list[list[Any]], room: int) -> Iterator[list[Any]]:
    for delta in deltas:
        text: str = delta[5]
        if len(orjson.dumps(delta)) <= room:
            yield delta
            continue
        # a character takes at most 6 bytes in JSON (an escaped control character)
        step = max(1, (room - len(orjson.dumps([*delta[:5], "", delta[6]]))) // 6)
        offset = delta[4]
        for start in range(0, len(text), step):
            piece = text[start:start + step]
            last = start + step >= len(text)
            yield [*delta[:4], offset + start, piece, delta[6] and last]
