"""Fixtures of the template generator and review tests.

Generated projects' own tests run only in the sandbox: ``project_tester``
(tests/conftest.py), which installs each project's declared requirements into
a virtualenv shared by the whole run.
"""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator


@pytest.fixture(scope="session")
def template_generator() -> TemplateGenerator:
    return TemplateGenerator()
