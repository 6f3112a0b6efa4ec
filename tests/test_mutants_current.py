"""The SQL mutant list stays current: every mutant's original text is still in its file, exactly once.

(Running the mutants is ``python -m mutation``, too slow for every CI run; docs/testing.md.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mutation.sql_mutants import EQUIVALENT, MUTANTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_each_mutants_original_text_is_still_there_once(mutant) -> None:
    text = (ROOT / mutant.path).read_text(encoding="utf-8")
    assert text.count(mutant.original) == 1, f"{mutant.id}: update mutation/sql_mutants.py to the new text"
    assert mutant.mutated != mutant.original
    for test in mutant.tests:
        path, _, name = test.partition("::")  # a file, or one test of it
        assert (ROOT / path).is_file(), f"{mutant.id}: no test file {path}"
        assert not name or f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"{mutant.id}: no test {test}"


def test_mutant_ids_are_unique_and_equivalents_are_mutants() -> None:
    ids = [m.id for m in MUTANTS]
    assert len(ids) == len(set(ids))
    assert set(EQUIVALENT) <= set(ids)
