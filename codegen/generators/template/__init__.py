"""The offline template generator: a prompt read into a spec, the spec rendered into a project.

No network and no randomness: the same prompt always gives the same files.
An iteration reads the parent's spec back from its ``codegen.json``, applies
the follow-up to it and re-renders; files the edit does not touch keep the
parent's content byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.generators.base import GeneratedFile, GenerationError, GenerationRequest, GenerationResult, Reporter
from codegen.generators.template import checklist, kinds
from codegen.generators.template.edits import EditError, apply_follow_up
from codegen.generators.template.model import KIND_LABELS, SPEC_FILE, ProjectSpec
from codegen.generators.template.prompt_parser import kind_scores, parse_prompt
from codegen.generators.template.words import normalize
from codegen.lifecycle import Mode, Stage

# progress (fraction of the whole generation) at each step; the engine reports review and finalize after us
_PLANNED = 0.05
_LAID_OUT = 0.15
_FILES_START, _FILES_END = 0.2, 0.8

# prompts served with every request met (tests/generators/test_checklist.py keeps them so)
EXAMPLES = [
    "A FastAPI REST API for a bookstore with books (title, author, price) and authors (name, bio), with JWT auth",
    "A Flask API to track expenses with amount, category and spent_on, with search and pagination",
    "A command-line tool to manage my contacts with name, email and phone",
    "A CLI that converts temperatures between celsius and fahrenheit",
    "A CLI that reports the top IPs, top paths and errors per hour of an nginx access log",
    "A script that reads sales.csv with columns region, product and amount and reports the total amount per region",
    "A Python library with string helpers like slugify and camelCase conversion",
    "A single page app to manage a reading list of books with title, author and rating",
    "A landing page for my bakery",
]
FOLLOW_UP_EXAMPLES = ["add a due_date field to tasks", "add a comments resource", "add authentication", "add pagination"]
DESCRIPTION = {
    "writes": checklist.WRITES,
    "languages": checklist.LANGUAGES,
    "examples": EXAMPLES,
    "follow_up_examples": FOLLOW_UP_EXAMPLES,
}


@dataclass
class _Work:
    """What a generation will return and report."""

    files: dict[str, str]  # the full snapshot, path -> content
    plan: str  # the planning message
    written: list[str]  # files new or changed, in path order
    removed: list[str] = field(default_factory=list)  # parent files no longer in the project
    notes: dict = field(default_factory=dict)
    requirements: list[checklist.Requirement] = field(default_factory=list)


class TemplateGenerator:
    name = "template"
    # pure computation: the engine runs it in its CPU pool, off the event loop (codegen/engine/cpu.py)
    cpu_bound = True

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult:
        work = self._iterate(request) if request.is_iteration else self._create(request)
        phased = request.mode == Mode.PHASED
        if phased:
            await report(Stage.PLANNING, _PLANNED, work.plan)
            await report(Stage.ARCHITECTURE, _LAID_OUT, _layout_message(work, request.is_iteration))
        else:
            await report(Stage.GENERATING, _PLANNED, work.plan)
        steps = [f"Writing {path}" for path in work.written] + [f"Removing {path}" for path in work.removed]
        start = _FILES_START if phased else _LAID_OUT
        for number, message in enumerate(steps, start=1):
            await report(Stage.GENERATING, round(start + (_FILES_END - start) * number / len(steps), 4), message)
        files = [GeneratedFile(path, content) for path, content in work.files.items()]
        requirements = [item.as_dict() for item in work.requirements]
        return GenerationResult(files=files, notes=work.notes, requirements=requirements)

    def _create(self, request: GenerationRequest) -> _Work:
        checklist.check_servable(request.prompt, kind_scores(normalize(request.prompt).lower()))
        plan = parse_prompt(request.prompt, request.additional_requirements)
        files = kinds.render_project(plan.spec)
        requirements = checklist.build(
            plan.spec, files, prompt=request.prompt, requirements=request.additional_requirements,
            kind_named=plan.kind_named, entities_named=plan.entities_named, assumptions=plan.assumptions,
            applied=plan.rules,
        )
        checklist.fail_if_nothing_served(requirements, request.prompt)
        files["README.md"] += "\n" + checklist.readme_section(requirements)
        message = "; ".join([f"Planning {kinds.of(plan.spec).describe(plan.spec)}", *plan.assumptions])
        notes = {**_spec_notes(plan.spec), "assumptions": plan.assumptions}
        return _Work(files=files, plan=message, written=list(files), notes=notes, requirements=requirements)

    def _iterate(self, request: GenerationRequest) -> _Work:
        parent_files = request.parent_files or {}
        parent = _parent_spec(parent_files)
        follow_up = "\n".join([request.prompt, *request.additional_requirements])
        try:
            iteration = apply_follow_up(parent, follow_up)
        except EditError as exc:
            raise GenerationError(str(exc)) from None
        if iteration.spec == parent:
            raise GenerationError(f'The follow-up "{request.prompt.strip()[:200]}" changes nothing in {parent.title}')
        before, after = kinds.render_project(parent), kinds.render_project(iteration.spec)
        files = dict(parent_files)
        removed = sorted(path for path in before.keys() - after.keys() if path in files)
        for path in removed:
            del files[path]
        for path, content in after.items():
            # a file the edit does not change keeps the parent's content, even if the templates moved on
            if before.get(path) != content or path not in files:
                files[path] = content
        changed = sorted(path for path, content in files.items() if parent_files.get(path) != content)
        requirements = checklist.for_iteration(iteration.changes, changed)
        files["README.md"] = _without_checklist(files.get("README.md", "")) + "\n" + checklist.readme_section(requirements)
        files = dict(sorted(files.items()))
        written = [path for path, content in files.items() if parent_files.get(path) != content]
        message = f"Planning changes to {parent.title} ({KIND_LABELS[parent.kind]}): " + "; ".join(iteration.changes)
        notes = {**_spec_notes(iteration.spec), "changes": iteration.changes}
        return _Work(
            files=files, plan=message, written=written, removed=removed, notes=notes, requirements=requirements
        )


def _without_checklist(readme: str) -> str:
    """A README without its "What was asked" section (the last one), which an iteration writes anew."""
    head, marker, _ = readme.partition("\n## What was asked\n")
    return head if marker else readme


def _parent_spec(parent_files: dict[str, str]) -> ProjectSpec:
    text = parent_files.get(SPEC_FILE)
    if text is None:
        raise GenerationError(
            f"The parent generation has no {SPEC_FILE}, so the template generator cannot tell how it was built; "
            "start a new generation instead of an iteration"
        )
    try:
        return ProjectSpec.from_json(text)
    except ValueError as exc:
        raise GenerationError(
            f"The parent generation's {SPEC_FILE} cannot be read ({exc}); start a new generation"
        ) from None


def _layout_message(work: _Work, iteration: bool) -> str:
    if iteration:
        removing = f", removing {len(work.removed)}" if work.removed else ""
        return f"Changing {len(work.written)} of {len(work.files)} files{removing}"
    folders = sorted({path.split("/")[0] + ("/" if "/" in path else "") for path in work.files})
    return f"Laying out {len(work.files)} files: {', '.join(folders)}"


def _spec_notes(spec: ProjectSpec) -> dict:
    return {
        "kind": spec.kind,
        "title": spec.title,
        "framework": spec.framework,
        "entities": [entity.plural for entity in spec.entities],
        "features": spec.features,
    }
