"""Fixtures of the template generator and review tests.

``project_python`` is one virtualenv per test session holding every package a
generated project may list (``render.REQUIREMENTS``), so each project's own
tests run against the requirements it declares. Set
``CODEGEN_TEST_PROJECT_PYTHON`` to an interpreter that already has them to
skip the install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.config import Settings, load_settings
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.render import REQUIREMENTS

PIP_TIMEOUT_SECONDS = 900


# named apart from tests/conftest.py's ``settings``, which needs a database
@pytest.fixture(scope="session")
def template_settings() -> Settings:
    return load_settings({})


@pytest.fixture(scope="session")
def template_generator(template_settings: Settings) -> TemplateGenerator:
    return TemplateGenerator(template_settings)


@pytest.fixture(scope="session")
def project_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The interpreter of a virtualenv with every requirement a generated project may list."""
    configured = os.environ.get("CODEGEN_TEST_PROJECT_PYTHON")
    if configured:
        return configured
    root = tmp_path_factory.mktemp("project-venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = Path(root, "bin", "python")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS.values()],
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT_SECONDS,
    )
    if install.returncode != 0:
        pytest.fail(f"cannot install the project requirements:\n{install.stdout[-2000:]}\n{install.stderr[-2000:]}")
    return str(python)
