"""The layers the imports must prove: import-linter's contracts (setup.cfg, [importlinter]) are kept.

.ci/run runs ``lint-imports`` too; this test makes the README's test command check them as well.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_linter_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "import-linter is missing: pip install -e '.[test]'"
    # the package under test is this checkout's (lint-imports finds it on the path, as pytest does)
    env = {"PYTHONPATH": str(ROOT), "PATH": str(lint_imports.parent)}
    done = subprocess.run(
        [str(lint_imports), str(ROOT / "setup.cfg"), "--no-cache"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
