"""One generation's live files as this process knows them (codegen/engine/live.py is the hub that holds them).

A file's ``version`` is its writer's (bumped when the writer starts it over); its ``epoch`` is this
process's (bumped whenever the text is replaced rather than extended), which is what a stream compares
with what it sent: same epoch, send the new tail; another epoch, send the whole text from offset 0.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from codegen.engine.bus import Subscription
from codegen.store.live import StoredCheckpoint

if TYPE_CHECKING:
    from codegen.engine.live import LiveFiles
    from codegen.engine.live_writer import LiveWriter


@dataclass(slots=True)
class LiveFile:
    text: str = ""
    done: bool = False
    version: int = 0
    epoch: int = 0


@dataclass(frozen=True, slots=True)
class FileDelta:
    path: str
    offset: int
    text: str
    done: bool

    def frame(self) -> bytes:
        data = orjson.dumps({"path": self.path, "offset": self.offset, "text": self.text, "done": self.done})
        return b"event: file\ndata: %s\n\n" % data


class LiveGeneration:
    """One generation's files as this process knows them, and the streams here that follow them."""

    def __init__(self, hub: LiveFiles, generation_id: str, attempt: int) -> None:
        self.hub = hub
        self.generation_id = generation_id
        self.attempt = attempt
        self.files: dict[str, LiveFile] = {}
        self.watchers: set[Subscription] = set()
        self.writer: LiveWriter | None = None
        # mirrors only: files that missed deltas (fixed by the next checkpoint), a load in flight,
        # and the deltas that arrived during it
        self.loaded = False
        # loaded while its writer had text not yet checkpointed (whole files may be missing): reload at the next mark
        self.unconfirmed = False
        self.reload = False
        self.behind: set[str] = set()
        self.loading: asyncio.Task[None] | None = None
        self.held: list[list[Any]] = []
        # the files are the stored result (settled here before it was committed, or read from the store)
        self.final = False
        self.final_load: asyncio.Task[None] | None = None
        # writers only: files changed since the last checkpoint, and when that was
        self.unsaved: set[str] = set()
        self.saved_at = 0.0
        self.save_now = False

    def _changed(self, path: str) -> None:
        for subscription in self.watchers:
            subscription.file_changed(path)

    def restart(self, attempt: int) -> None:
        """A new attempt: every file starts again (emptied, so a stream replaces what its client holds)."""
        self.attempt = attempt
        self.final = False
        self.behind.clear()
        for path, file in self.files.items():
            file.text, file.done, file.version = "", False, 0
            file.epoch = self.hub.next_epoch()
            self._changed(path)

    def replace(self, path: str, text: str, done: bool, version: int) -> None:
        file = self.files.get(path)
        if file is None:
            file = self.files[path] = LiveFile()
        file.text, file.done, file.version, file.epoch = text, done, version, self.hub.next_epoch()
        self._changed(path)

    def extend(self, path: str, offset: int, text: str, done: bool) -> bool:
        """Apply a delta of the file's current version; False when it starts past the text (a gap)."""
        file = self.files[path]
        if offset > len(file.text):
            return False
        # the text only grows within a version: what overlaps is what we have
        tail = text[len(file.text) - offset:]
        if not tail and (file.done or not done):
            return True
        file.text += tail
        file.done = file.done or done
        self._changed(path)
        return True

    def apply_remote(self, attempt: int, path: str, version: int, offset: int, text: str, done: bool) -> None:
        if attempt < self.attempt:
            return
        if attempt > self.attempt:
            self.restart(attempt)
        file = self.files.get(path)
        known = -1 if file is None else file.version
        if version < known:
            return
        if version > known or file is None:
            if offset == 0:
                self.replace(path, text, done, version)
                self.behind.discard(path)
            else:
                self.behind.add(path)
            return
        if path not in self.behind and not self.extend(path, offset, text, done):
            self.behind.add(path)

    def load(self, checkpoints: list[StoredCheckpoint]) -> None:
        """Take the checkpoints (newer than what is here), then the deltas held while they were read."""
        for row in checkpoints:
            if row.attempt < self.attempt:
                continue
            if row.attempt > self.attempt:
                self.restart(row.attempt)
            path, text, version = row.path, row.text, row.version
            file = self.files.get(path)
            if file is not None and version < file.version:
                continue
            if file is None or version > file.version or not text.startswith(file.text):
                self.replace(path, text, row.done, version)
            else:
                self.extend(path, 0, text, row.done)
            self.behind.discard(path)
        self.loaded = True
        held, self.held = self.held, []
        for item in held:
            self.apply_remote(*item)
