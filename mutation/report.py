"""What a mutation run found, written between the mutation markers of docs/testing.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mutation.python_equivalents import PYTHON_EQUIVALENT
from mutation.sql_mutants import EQUIVALENT, MUTANTS

DOC = Path(__file__).resolve().parents[1] / "docs" / "testing.md"
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"


@dataclass
class Outcome:
    id: str
    verdict: str  # killed | survived | error | timeout
    seconds: float
    detail: str = ""
    at: str = ""  # when it ran (UTC)
    only: bool = False  # in a run of some mutants (--only), not of all


def _sql_section(outcomes: list[Outcome]) -> list[str]:
    killed = sum(o.verdict in ("killed", "timeout") for o in outcomes)
    equivalent = sum(o.verdict == "survived" and o.id in EQUIVALENT for o in outcomes)
    scored = len(outcomes) - equivalent
    score = 100.0 * killed / scored if scored else 0.0
    summary = (
        f"SQL mutants: **{killed} of {scored} killed ({score:.1f} %)**"
        f"{f', {equivalent} equivalent' if equivalent else ''}, {len(outcomes)} run "
        f"(`python -m mutation sql`, {sum(o.seconds for o in outcomes) / 60:.0f} min at nice 19)."
    )
    for at in sorted({o.at for o in outcomes}):
        ran = [o for o in outcomes if o.at == at]
        if ran[0].only:
            summary += f" Run again at {at} (`--only`): " + ", ".join(f"`{o.id}`" for o in ran) + "."
        else:
            summary += f" A run of all the mutants finished at {at or '(not dated)'}: the outcome of {len(ran)} below."
    lines = [
        summary,
        "",
        "| mutant | file | verdict | the test that noticed, or why not |",
        "|---|---|---|---|",
    ]
    by_id = {m.id: m for m in MUTANTS}
    for o in outcomes:
        note = EQUIVALENT.get(o.id, f"not noticed ({o.detail})") if o.verdict == "survived" else o.detail
        note = note.replace("|", "\\|")
        lines.append(f"| `{o.id}` | `{by_id[o.id].path}` | {o.verdict} | {note} |")
    return lines


def _mutated_line(diff: str) -> str:
    return " ".join(line[1:].strip() for line in diff.splitlines() if line.startswith("+") and line[1:2] != "+")


def _equivalence(name: str, diff: str) -> str | None:
    """The reason ``name`` is equivalent, if PYTHON_EQUIVALENT lists it for the mutation it now is.

    mutmut numbers a function's mutants anew when the function changes: a name alone could give one
    mutation's reason to another. So an entry holds the mutated line too, and counts only if it matches."""
    listed = PYTHON_EQUIVALENT.get(name)
    if listed is None or listed[0] != _mutated_line(diff):
        return None
    return listed[1]


def _python_section(report: dict[str, object], scopes: Iterable[str]) -> list[str]:
    lines = ["| scope | modules | tests | killed | survived | equivalent | other | score | time | finished |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    survivors: list[str] = []
    equivalents: list[str] = []
    all_killed = all_scored = 0
    for scope, result in report.items():
        assert isinstance(result, dict)
        stats = result["stats"]
        # not "timeout": with the fork server it also stands for a worker whose test run raised (exit 255)
        killed = int(stats.get("killed", 0))
        equivalent = sum(_equivalence(name, diff) is not None for name, diff in result["survivors"].items())
        # a mutant that no selected test reaches ("no tests") is not killed: it counts as a survivor
        survived = int(stats.get("survived", 0)) + int(stats.get("no_tests", 0)) - equivalent
        other = int(stats.get("total", 0)) - killed - survived - equivalent
        scored = killed + survived
        all_killed, all_scored = all_killed + killed, all_scored + scored
        score = f"{100.0 * killed / scored:.1f} %" if scored else "-"
        only = f" (only the mutants {', '.join(f'`{m}`' for m in result['mutants'])})" if result.get("mutants") else ""
        lines.append(f"| {scope} | {', '.join(f'`{m}`' for m in result['modules'])}{only} | "
                     f"{', '.join(f'`{t}`' for t in result['tests'])} | {killed} | {survived} | {equivalent} | "
                     f"{other} | {score} | {result['seconds']} s | {result.get('measured', '-')}"
                     f"{''.join(f'; again: {r}' for r in result.get('rechecked', []))} |")
        for name, diff in result["survivors"].items():
            changed = [line for line in diff.splitlines() if line.startswith(("-", "+")) and line[1:2] != line[0:1]]
            untested = " (no test reaches it)" if result.get("statuses", {}).get(name) == "no tests" else ""
            row = f"- `{name}`{untested}: `{' / '.join(changed)}`"
            reason = _equivalence(name, diff)
            if reason is not None:
                equivalents.append(f"{row}: {reason}")
            elif name in PYTHON_EQUIVALENT:
                survivors.append(f"{row} (PYTHON_EQUIVALENT's reason is for another mutation, "
                                 f"`{PYTHON_EQUIVALENT[name][0]}`: mutmut numbered them anew)")
            else:
                survivors.append(row)
    total = f"{100.0 * all_killed / all_scored:.1f} %" if all_scored else "-"
    summary = (
        f"Python mutants (mutmut 3, `python -m mutation python`): **{all_killed} of {all_scored} killed "
        f"({total})** over the scopes below, equivalent mutants left out; a mutant no selected test reaches "
        "(mutmut's \"no tests\") counts as survived (\"other\": not checked, timeouts, suspicious or errors, as "
        "mutmut counts them, not in the score; a \"timeout\" is also a worker whose test run raised)."
    )
    missing = [scope for scope in scopes if scope not in report]
    if missing:
        summary += f" Not run, so not in the score: {', '.join(missing)}."
    head = [summary, ""]
    tail = ["", "Survivors (each to be killed by a test):", "", *survivors] if survivors else []
    if equivalents:
        tail += ["", "Equivalent (they change nothing observable):", "", *equivalents]
    return head + lines + tail


def write_doc(sql: list[Outcome] | None, python: dict[str, object] | None, scopes: Iterable[str]) -> None:
    """Rewrite the mutation section: the halves that ran replaced, the other kept (``scopes``: every Python scope)."""
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    old = text[start:stop]
    parts: dict[str, list[str]] = {"sql": [], "python": []}
    # keep the other half when only one half ran
    for key, pattern in (("sql", r"(?s)<!-- sql -->(.*?)<!-- /sql -->"), ("python", r"(?s)<!-- python -->(.*?)<!-- /python -->")):
        found = re.search(pattern, old)
        parts[key] = found.group(1).strip("\n").splitlines() if found else []
    if sql is not None:
        parts["sql"] = _sql_section(sql)
    if python is not None:
        parts["python"] = _python_section(python, scopes)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [f"Last run: {stamp}.", "", "<!-- sql -->", *parts["sql"], "<!-- /sql -->", "",
            "<!-- python -->", *parts["python"], "<!-- /python -->"]
    DOC.write_text(text[:start] + "\n" + "\n".join(body) + "\n" + text[stop:], encoding="utf-8")
