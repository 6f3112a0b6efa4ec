"""Helpers of the template generator tests: a recording reporter and a one-call generate."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from codegen.generators.base import GeneratedFile, GenerationError, GenerationRequest, GenerationResult
from codegen.generators.template import TemplateGenerator
from codegen.lifecycle import STAGES_BY_MODE, Mode, Stage


@dataclass
class Recorder:
    """A Reporter that keeps every step."""

    steps: list[tuple[Stage, float, str]] = field(default_factory=list)

    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        self.steps.append((stage, progress, message))

    def check(self, mode: Mode) -> None:
        """Stages legal for the mode and in pipeline order, progress monotonic within 0.05..0.80."""
        assert self.steps, "no progress reported"
        order = STAGES_BY_MODE[mode]
        stages = [stage for stage, _, _ in self.steps]
        assert all(stage in order for stage in stages), stages
        assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages), stages
        progress = [p for _, p, _ in self.steps]
        assert progress == sorted(progress), progress
        assert progress[0] >= 0.05 and progress[-1] <= 0.80, progress
        assert all(message.strip() for _, _, message in self.steps)
        if mode is Mode.PHASED:
            assert stages[:2] == [Stage.PLANNING, Stage.ARCHITECTURE]
            assert stages.count(Stage.PLANNING) == stages.count(Stage.ARCHITECTURE) == 1

    def messages(self, stage: Stage) -> list[str]:
        return [message for s, _, message in self.steps if s is stage]


async def generate(
    generator: TemplateGenerator,
    prompt: str,
    *,
    mode: Mode = Mode.PHASED,
    parent: dict[str, str] | None = None,
    requirements: list[str] | None = None,
) -> tuple[GenerationResult, Recorder]:
    recorder = Recorder()
    context = {"additional_requirements": requirements} if requirements else {}
    request = GenerationRequest(generation_id="test", prompt=prompt, mode=mode, context=context, parent_files=parent)
    result = await generator.generate(request, recorder)
    recorder.check(mode)
    return result, recorder


async def checklist_of(generator: TemplateGenerator, prompt: str) -> dict[str, dict]:
    """The prompt's requirements checklist by request text."""
    result, _ = await generate(generator, prompt)
    return {item["text"]: item for item in result.requirements}


async def refusal(generator: TemplateGenerator, prompt: str) -> str:
    """The error of a prompt the generator refuses (the test fails if it serves it)."""
    with pytest.raises(GenerationError) as refused:
        await generate(generator, prompt)
    return str(refused.value)


def as_dict(files: list[GeneratedFile]) -> dict[str, str]:
    return {f.path: f.content for f in files}


async def own_test_results(generator: TemplateGenerator, tester, prompts: list[str]) -> dict[str, object]:
    """Each prompt's project run through its own tests in the sandbox (``tester``: the project_tester fixture)."""
    from tests.sandbox_helpers import say_nothing

    async def run(prompt: str) -> tuple[str, object]:
        result, _ = await generate(generator, prompt)
        return prompt, await tester.run(as_dict(result.files), say_nothing)

    return dict(await asyncio.gather(*(run(prompt) for prompt in prompts)))


async def assert_own_tests_pass(generator: TemplateGenerator, tester, prompts: list[str], *, at_least: int = 1) -> None:
    """Each prompt's project passes its own tests in the sandbox, ``at_least`` of them."""
    for prompt, outcome in (await own_test_results(generator, tester, prompts)).items():
        assert outcome.status == "passed", (prompt, outcome.summary(), outcome.output[-2000:])
        assert outcome.passed >= at_least and outcome.failed == 0 and outcome.errors == 0


async def code_modules(generator: TemplateGenerator, prompts: list[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """The code modules of the prompts' projects by module name ("lru_cache"): (its path, its project's files)."""
    modules: dict[str, tuple[str, dict[str, str]]] = {}
    for prompt in prompts:
        result, _ = await generate(generator, prompt)
        files = as_dict(result.files)
        modules.update({path.split("/")[-1].removesuffix(".py"): (path, files)
                        for path in files if not path.startswith("tests/") and path.endswith(".py")})
    return modules


async def each_break_fails_its_test(tester, modules: dict, breaks: list) -> None:
    """Each (module, original, broken, test): the project with that one line broken fails ``test`` in the sandbox."""
    from tests.sandbox_helpers import say_nothing

    for module, original, broken, test in breaks:
        path, project = modules[module]
        files = dict(project)
        assert files[path].count(original) == 1, original
        files[path] = files[path].replace(original, broken)
        outcome = await tester.run(files, say_nothing)
        assert outcome.failed >= 1, (test, outcome.summary())
        assert test in outcome.output, (test, outcome.output[-2000:])
