"""The ``openai`` generator: the phased and unified modes, and repair of a project whose tests fail."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from codegen.config import LLMSettings
from codegen.generators import llm_checklist
from codegen.generators.base import GeneratedFile, GenerationError, GenerationRequest, GenerationResult, Reporter
from codegen.generators.llm_output import Plan, PlannedFile, parse_plan
from codegen.generators.openai.answers import merge_repair, read_answer, repair_failed_message, single_file, unresolved
from codegen.generators.openai.budget import CHARS_PER_TOKEN, Budget
from codegen.generators.openai.transport import ChatClient
from codegen.generators.openai.endpoint import Endpoint, RetryPolicy
from codegen.generators.openai.progress import PROGRESS_FIRST, PROGRESS_LAST, FileStartReporter, Progress
from codegen.generators.openai.prompts import (
    ITERATION_PLANNER_SYSTEM,
    ITERATION_RULES,
    PLANNER_SYSTEM,
    WRITER_SYSTEM,
    plan_text,
    render_files,
    repair_request,
    request_text,
    tests_repair_request,
)
from codegen.lifecycle import Mode, Stage

_PLANNED, _WRITING_FROM = 0.15, 0.20


@dataclass
class _Outcome:
    """What a generation produced: files written, paths deleted, and facts for the notes."""

    written: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    # the planner's requirements checklist (llm_checklist.from_plan); None without one
    requirements: list[dict[str, Any]] | None = None


class OpenAIGenerator:
    name = "openai"
    # it waits on the model's tokens: a process holds CODEGEN_MODEL_CONCURRENCY of these at once
    io_bound = True

    def __init__(
        self,
        settings: LLMSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_retry_delay: float = 60.0,
        min_completion_tokens: int = 256,
        context_chars: int = 60_000,
        read_timeout: float | None = None,
    ) -> None:
        self.settings = settings
        self._session = session
        self.endpoint = Endpoint(settings, read_timeout=read_timeout)
        self.retry = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base, max_delay=max_retry_delay)
        self.min_completion_tokens = min_completion_tokens
        # most characters of files (parent's, written so far) sent as context in one request
        self.context_chars = context_chars

    # ----------------------------------------------------------------- entry point

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult:
        self.endpoint.check()
        progress = Progress(report)
        budget = Budget(self.settings.max_tokens, self.min_completion_tokens)
        async with self._http_session() as http:
            client = ChatClient(self.endpoint, self.retry, http, budget, request.generation_id)
            try:
                if request.mode == Mode.PHASED:
                    outcome = await self._phased(client, request, progress)
                else:
                    outcome = await self._unified(client, request, progress, start=PROGRESS_FIRST)
            except GenerationError as exc:
                # what the failed generation cost is still the user's to see
                if budget.calls and exc.usage is None:
                    exc.usage = budget.usage()
                raise
        files = self._snapshot(request, outcome)
        summary = f"Wrote {len(outcome.written)} file{'s' * (len(outcome.written) != 1)}"
        if outcome.deleted:
            summary += f", deleted {len(outcome.deleted)}"
        await progress(Stage.GENERATING, PROGRESS_LAST, summary)
        return GenerationResult(
            files=[GeneratedFile(path, files[path]) for path in sorted(files)],
            usage=budget.usage(),
            notes=self._notes(budget, outcome),
            requirements=llm_checklist.checked(
                outcome.requirements, files, request.prompt, request.additional_requirements
            ),
            # the model's claims: the engine holds those still met against the project's tests
            requirements_claimed=True,
        )

    async def repair(
        self, request: GenerationRequest, files: list[GeneratedFile], failure: str, usage: dict[str, int] | None
    ) -> GenerationResult:
        """One request for the files that make the failing tests pass, inside what is left of the budget."""
        self.endpoint.check()
        spent = usage or {}
        budget = Budget(self.settings.max_tokens, self.min_completion_tokens,
                        prompt_tokens=spent.get("prompt_tokens", 0), completion_tokens=spent.get("completion_tokens", 0))
        current = {f.path: f.content for f in files}
        async with self._http_session() as http:
            client = ChatClient(self.endpoint, self.retry, http, budget, request.generation_id)
            try:
                user = tests_repair_request(request, current, failure, self._context_limit(client))
                messages = [{"role": "system", "content": WRITER_SYSTEM + ITERATION_RULES},
                            {"role": "user", "content": user}]
                answer = await client.complete(messages, purpose="repair failing tests")
                parsed, problems = await request.cpu(read_answer, answer.text, answer.finish_reason, current)
                if problems:
                    raise GenerationError(
                        "the model's repair could not be used: " + "; ".join(p.describe() for p in problems[:5])
                    )
            except GenerationError as exc:
                exc.usage = exc.usage or budget.usage()
                raise
        for path in parsed.deleted:
            if path not in parsed.files:
                current.pop(path, None)
        current.update({path: f.content for path, f in parsed.files.items()})
        return GenerationResult(files=[GeneratedFile(p, current[p]) for p in sorted(current)], usage=budget.usage())

    @contextlib.asynccontextmanager
    async def _http_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        if self._session is not None:
            yield self._session
            return
        async with aiohttp.ClientSession() as session:
            yield session

    def _snapshot(self, request: GenerationRequest, outcome: _Outcome) -> dict[str, str]:
        files = dict(request.parent_files or {})
        for path in outcome.deleted:
            files.pop(path, None)
        files.update(outcome.written)
        return files

    def _notes(self, budget: Budget, outcome: _Outcome) -> dict[str, Any]:
        notes: dict[str, Any] = {"model": self.endpoint.model, "llm_requests": budget.calls, **outcome.notes}
        if outcome.repaired:
            notes["repaired"] = outcome.repaired
        if budget.estimated_calls:
            notes["usage_estimated"] = (
                f"The endpoint did not report token usage for {budget.estimated_calls} of {budget.calls} "
                f"requests; those were estimated at about {CHARS_PER_TOKEN} characters per token."
            )
        return notes

    # ----------------------------------------------------------------- modes

    async def _phased(self, client: ChatClient, request: GenerationRequest, progress: Progress) -> _Outcome:
        await progress(Stage.PLANNING, PROGRESS_FIRST, f"Planning the project with {self.endpoint.model}")
        parent = request.parent_files or {}
        system = ITERATION_PLANNER_SYSTEM if request.is_iteration else PLANNER_SYSTEM
        user = request_text(request)
        if request.is_iteration:
            user += "\n\nThe project's current files:\n\n" + render_files(parent, self._context_limit(client))
        answer = await client.complete(
            [{"role": "system", "content": system}, {"role": "user", "content": user}], purpose="plan"
        )
        plan = await request.cpu(parse_plan, answer.text)
        # an iteration may only delete files; a new project needs something to write
        if plan is None or not (plan.files if request.is_iteration else plan.to_write):
            if plan is not None and request.is_iteration:
                raise GenerationError(
                    "The model planned no change for this follow-up; rephrase it to say what should change."
                )
            await progress(
                Stage.ARCHITECTURE, _PLANNED, "The model's plan could not be read; writing the project in one pass"
            )
            outcome = await self._unified(client, request, progress, start=_WRITING_FROM)
            outcome.notes["plan"] = "unreadable; written in one pass"
            return outcome
        outcome = _Outcome(requirements=llm_checklist.from_plan(answer.text))
        if plan.unsafe_paths:
            outcome.notes["ignored_plan_paths"] = plan.unsafe_paths
        await progress(Stage.ARCHITECTURE, _PLANNED, self._plan_message(plan))
        self._take_deletions(plan.to_delete, parent, outcome)
        files = {p: c for p, c in parent.items() if p not in outcome.deleted}
        to_write = plan.to_write
        for index, item in enumerate(to_write):
            share = (PROGRESS_LAST - _WRITING_FROM) * index / len(to_write)
            message = f"Writing {item.path} ({index + 1}/{len(to_write)})"
            await progress(Stage.GENERATING, _WRITING_FROM + share, message)
            content = await self._write_one(client, request, plan, item, files, progress, outcome)
            files[item.path] = content
            outcome.written[item.path] = content
        return outcome

    @staticmethod
    def _plan_message(plan: Plan) -> str:
        paths = [f.path for f in plan.to_write]
        shown = ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")
        message = f"Planned {len(paths)} file{'s' * (len(paths) != 1)}: {shown}" if paths else "Planned no new files"
        if plan.to_delete:
            message += f"; deleting {', '.join(plan.to_delete)}"
        if plan.summary:
            message = f"{plan.summary.strip()[:200]} ({message})"
        return message

    @staticmethod
    def _take_deletions(paths: list[str], parent: dict[str, str], outcome: _Outcome) -> None:
        ignored = [p for p in paths if p not in parent]
        outcome.deleted += [p for p in paths if p in parent and p not in outcome.deleted]
        if ignored:
            outcome.notes["ignored_deletions"] = ignored

    async def _write_one(
        self,
        client: ChatClient,
        request: GenerationRequest,
        plan: Plan,
        item: PlannedFile,
        files: dict[str, str],
        progress: Progress,
        outcome: _Outcome,
    ) -> str:
        """One file of a phased generation, repaired once if it comes back unusable."""
        system = WRITER_SYSTEM + (ITERATION_RULES if request.is_iteration else "")
        context_label = "The project's current files" if request.is_iteration else "Files written so far"
        parts = [request_text(request), "Plan of the whole project:\n" + plan_text(plan)]
        if files:
            parts.append(f"{context_label}:\n\n" + render_files(files, self._context_limit(client), first={item.path}))
        ask = f"Write the complete content of `{item.path}`"
        ask += f" ({item.purpose})." if item.purpose else "."
        if item.path in files:
            ask += " Its current content is shown above: keep everything the change does not touch."
        parts.append(ask + " Reply with only this one file, in the required format.")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]

        watcher = FileStartReporter(None, live=request.live, only_path=item.path) if request.live else None
        answer = await client.complete(messages, purpose=f"write {item.path}", watcher=watcher)
        file, problem = await request.cpu(
            single_file, answer.text, answer.finish_reason, item.path, files.get(item.path)
        )
        if problem is None:
            if request.live is not None:
                request.live.finish(item.path, file.content)
            return file.content
        await progress(Stage.GENERATING, progress.value, f"Asking the model to repair {item.path} ({problem.kind})")
        outcome.repaired.append(item.path)
        messages += [
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": repair_request([problem], continue_after=False)},
        ]
        answer = await client.complete(messages, purpose=f"repair {item.path}", watcher=watcher)
        file, problem = await request.cpu(
            single_file, answer.text, answer.finish_reason, item.path, files.get(item.path)
        )
        if problem is not None:
            raise GenerationError(repair_failed_message([problem]))
        if request.live is not None:
            request.live.finish(item.path, file.content)
        return file.content

    async def _unified(
        self, client: ChatClient, request: GenerationRequest, progress: Progress, *, start: float
    ) -> _Outcome:
        """Every file in one streamed answer, repaired once if some come back unusable."""
        parent = request.parent_files or {}
        await progress(Stage.GENERATING, start, f"Asking {self.endpoint.model} to write the project")
        # the checklist comes in the same answer, after the files (llm_checklist.UNIFIED_RULES)
        system = WRITER_SYSTEM + (ITERATION_RULES if request.is_iteration else "") + llm_checklist.UNIFIED_RULES
        user = request_text(request)
        if request.is_iteration:
            user += "\n\nThe project's current files:\n\n" + render_files(parent, self._context_limit(client))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        watcher = FileStartReporter(progress, start, PROGRESS_LAST - 0.05, live=request.live)

        answer = await client.complete(messages, purpose="write files", watcher=watcher)
        parsed, problems = await request.cpu(read_answer, answer.text, answer.finish_reason, parent)
        outcome = _Outcome()
        if problems:
            named = ", ".join(dict.fromkeys(p.path or "the answer" for p in problems))
            await progress(Stage.GENERATING, progress.value, f"Asking the model to repair {named}")
            outcome.repaired = [p.path or "the answer" for p in problems]
            messages += [
                {"role": "assistant", "content": answer.text},
                {"role": "user", "content": repair_request(problems, continue_after=answer.finish_reason == "length")},
            ]
            repair = await client.complete(messages, purpose="repair files", watcher=watcher)
            repaired, repaired_problems = await request.cpu(read_answer, repair.text, repair.finish_reason, parent)
            still_bad = unresolved(problems, repaired, repaired_problems)
            if still_bad:
                raise GenerationError(repair_failed_message(still_bad))
            parsed = merge_repair(parsed, repaired, problems)
        elif answer.finish_reason == "length":
            outcome.notes["output_limit"] = "the answer reached the model's output limit after its last complete file"
        outcome.written = {path: f.content for path, f in parsed.files.items()}
        outcome.requirements = llm_checklist.from_answer(parsed.checklist)
        self._take_deletions([p for p in parsed.deleted if p not in outcome.written], parent, outcome)
        return outcome

    # ----------------------------------------------------------------- request details

    def _context_limit(self, client: ChatClient) -> int:
        # at most half of what the budget has left goes to context
        return min(self.context_chars, client.budget.remaining * CHARS_PER_TOKEN // 2)
