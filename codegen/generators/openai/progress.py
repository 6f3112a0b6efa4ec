"""This provider's progress reports, and the live view of files as the model writes them."""

from __future__ import annotations

from codegen.generators.base import FileSink, Reporter
from codegen.generators.llm_output import FileStreamParser
from codegen.lifecycle import Stage

# this provider's share of the generation's progress; the engine reports the rest
PROGRESS_FIRST, PROGRESS_LAST = 0.05, 0.80


class Progress:
    """Reports within this provider's share of the progress, never going down."""

    def __init__(self, report: Reporter) -> None:
        self._report = report
        self.value = 0.0

    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        self.value = max(self.value, min(PROGRESS_LAST, max(PROGRESS_FIRST, progress)))
        await self._report(stage, self.value, message)


class FileStartReporter:
    """Reports "Writing <path>" as each file starts in a streamed answer, and streams its text to ``live``.

    ``only_path``: the answer holds that one file (phased mode), whatever path its block names. Without
    ``progress`` nothing is reported.
    """

    def __init__(
        self, progress: Progress | None, start: float = 0.0, end: float = 0.0, *,
        live: FileSink | None = None, only_path: str | None = None,
    ) -> None:
        self._progress = progress
        self._start, self._end = start, end
        self._seen: set[str] = set()
        self._live = live
        self._only_path = only_path
        self._parser = FileStreamParser(self if live is not None else None)

    def restart(self) -> None:
        # a retried request streams from the beginning; files already reported stay reported
        self._parser = FileStreamParser(self if self._live is not None else None)

    async def feed(self, text: str) -> None:
        for path in self._parser.feed(text):
            if path in self._seen or self._progress is None:
                continue
            self._seen.add(path)
            # approaches the end without knowing how many files will come
            share = 1 - 0.8 ** len(self._seen)
            await self._progress(Stage.GENERATING, self._start + (self._end - self._start) * share, f"Writing {path}")

    # the parser's listener: block content goes to the live view (a retried answer starts its files over)

    def begin(self, path: str | None) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.begin(target)

    def append(self, path: str | None, text: str) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.append(target, text)

    def end(self, path: str | None) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.end(target)
