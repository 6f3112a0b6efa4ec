"""Follow-up prompts: read into edits of the parent's spec and applied in order.

A follow-up is split into clauses ("add a due_date field to tasks and add
pagination" is two). Each clause must be understood and applicable, or the
whole iteration fails with a message naming the clause: no edit is dropped.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from codegen.generators.template import report_routes
from codegen.generators.template.edits.editor import EditError, Editor, clause_text
from codegen.generators.template.edits.vocabulary import CLAUSE_ENDS, CONNECTORS, FILLER, PHRASES, VERBS
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.prompt_parser import corrected_tokens
from codegen.generators.template.words import Token, normalize

__all__ = ["EditError", "Iteration", "apply_follow_up"]


@dataclass
class Iteration:
    spec: ProjectSpec  # the parent's spec with every edit applied
    changes: list[str]  # what each edit did, for the plan message


def apply_follow_up(parent: ProjectSpec, text: str) -> Iteration:
    """The parent's spec changed as ``text`` asks; EditError names the clause that cannot be applied."""
    spec = copy.deepcopy(parent)
    before = report_routes.snapshot(spec)
    editor = Editor(spec)
    clauses = _clauses(text)
    if not clauses:
        raise EditError("The follow-up asks for no change the template generator can make")
    for clause in clauses:
        label = clause_text(clause)
        try:
            editor.apply(clause)
        except EditError as exc:
            raise EditError(f'Cannot apply "{label}": {exc}') from None
    # report routes and unique fields follow renamed entities and fields (edits change them in place)
    return Iteration(spec=spec, changes=editor.changes + report_routes.carry_over(before, spec))


def _clauses(text: str) -> list[list[Token]]:
    normalized = normalize(text)
    for pattern, replacement in PHRASES:
        normalized = re.sub(pattern, replacement, normalized, flags=re.IGNORECASE)
    clauses: list[list[Token]] = []
    current: list[Token] = []
    for token in corrected_tokens(normalized):
        starts_clause = token.text in VERBS - {"have", "has", "get", "need", "needs"} and (
            not current or current[-1].text in CONNECTORS
        )
        if token.text in CLAUSE_ENDS or starts_clause:
            clauses.append(current)
            current = []
        if token.text not in CLAUSE_ENDS:
            current.append(token)
    clauses.append(current)
    trimmed = []
    for clause in clauses:
        while clause and clause[-1].text in CONNECTORS:
            clause = clause[:-1]
        while clause and clause[0].text in CONNECTORS:
            clause = clause[1:]
        if any(t.is_word and t.text not in FILLER for t in clause):
            trimmed.append(clause)
    return trimmed


