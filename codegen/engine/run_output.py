"""What a sandboxed run printed, made safe to keep and show: its tail, without escapes or host facts."""

from __future__ import annotations

import asyncio
import re

from codegen.config import SandboxSettings

# what a run reads at once; only the tail is kept
_READ_CHUNK = 65536
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def secret_redactions(settings: SandboxSettings) -> tuple[tuple[str, str], ...]:
    """The host's data folder and the service's secrets, with what replaces each in a run's output."""
    pairs = [(str(settings.data_dir.resolve()), "<data>")]
    pairs += [(secret, "<redacted>") for secret in settings.secrets if len(secret) >= 4]
    return tuple(pairs)


def sanitize(text: str, redactions: tuple[tuple[str, str], ...] | list[tuple[str, str]] = ()) -> str:
    """Untrusted output made safe to store and show: no escapes, no control or bidi characters, no host facts."""
    text = _ANSI_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_RE.sub("", text.replace("\t", "    "))
    # longest first, so a path inside a longer one is not half replaced
    for needle, replacement in sorted(redactions, key=lambda pair: -len(pair[0])):
        text = text.replace(needle, replacement)
    return text


class OutputTail:
    """Everything the sandbox prints is read (a blocked writer would hang); only the tail is kept."""

    def __init__(self, keep_bytes: int) -> None:
        self.keep = keep_bytes
        self.buffer = bytearray()
        self.total = 0

    async def drain(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:  # pragma: no cover - the one caller passes a pipe (asyncio types it Optional)
            return
        while chunk := await stream.read(_READ_CHUNK):
            self.total += len(chunk)
            self.buffer.extend(chunk)
            if len(self.buffer) > 2 * self.keep:
                del self.buffer[: len(self.buffer) - self.keep]

    def text(self) -> str:
        text = bytes(self.buffer[-self.keep :]).decode("utf-8", "replace")
        if self.total > self.keep:
            text = f"[{self.total - self.keep} earlier bytes of output not kept]\n" + text
        return text
