"""What a worker's generation writes its files through (the generator's ``FileSink``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codegen.engine.live_generation import LiveFile, LiveGeneration
from codegen.generators.base import GeneratedFile

if TYPE_CHECKING:
    from codegen.engine.live import LiveFiles


class LiveWriter:
    """What a worker's generation writes through (the generator's ``FileSink``): this attempt's files."""

    def __init__(self, hub: LiveFiles, generation: LiveGeneration) -> None:
        self.hub = hub
        self.generation = generation

    @property
    def active(self) -> bool:
        return self.generation.writer is self

    def begin(self, path: str) -> None:
        self._replace(path, "", done=False)

    def append(self, path: str, text: str) -> None:
        file = self.generation.files.get(path)
        if file is None:
            self._replace(path, text, done=False)
        elif text:
            self._extend(path, file, text, done=False)

    def end(self, path: str) -> None:
        file = self.generation.files.get(path)
        if file is not None and not file.done:
            self._extend(path, file, "", done=True)

    def finish(self, path: str, content: str) -> None:
        file = self.generation.files.get(path)
        if file is None or not content.startswith(file.text):
            self._replace(path, content, done=True)
        elif content != file.text or not file.done:
            self._extend(path, file, content[len(file.text):], done=True)

    def settle(self, files: list[GeneratedFile], parent: dict[str, str] | None = None) -> None:
        """Make what streams hold equal to the result: ``files`` as they will be stored.

        A file streamed as its result ends is only marked done; one the result changed is sent again
        (its missing tail, or whole from offset 0). An iteration's unchanged parent files are not sent;
        a file streamed (or inherited) that the result does not keep ends empty, as ``GET …/files``
        shows a deleted file. Files are checkpointed at the next flush.
        """
        if not self.active:
            return
        current = self.generation.files
        final = {f.path: f.content for f in files}
        for path, content in final.items():
            if path in current or parent is None or parent.get(path) != content:
                self.finish(path, content)
        gone = [p for p in current if p not in final]
        gone += [p for p in parent or () if p not in final and p not in current]
        for path in gone:
            file = current.get(path)
            if file is None or file.text or not file.done:
                self._replace(path, "", done=True)
        self.generation.save_now = True
        self.hub.wake()

    async def sync(self) -> None:
        """The files are settled as the result: wait until they reached other processes (before it commits)."""
        self.generation.final = True
        await self.hub.sync(self.generation)

    def close(self) -> None:
        if self.active:
            self.generation.writer = None
            self.hub.release(self.generation)

    def _replace(self, path: str, text: str, *, done: bool) -> None:
        if not self.active:
            return
        file = self.generation.files.get(path)
        version = 0 if file is None else file.version + 1
        self.generation.replace(path, text, done, version)
        self.hub.publish(self.generation, path, version, 0, text, done)

    def _extend(self, path: str, file: LiveFile, text: str, *, done: bool) -> None:
        if not self.active:
            return
        offset = len(file.text)
        self.generation.extend(path, offset, text, done)
        self.hub.publish(self.generation, path, file.version, offset, text, done)
