"""Fixtures of the template generator and review tests.

Generated projects' own tests run only in the sandbox: ``project_tester``
(tests/conftest.py), which installs each project's declared requirements into
a virtualenv shared by the whole run.
"""

from __future__ import annotations

import pytest

from codegen.config import Settings, load_settings
from codegen.generators.template import TemplateGenerator


# named apart from tests/conftest.py's ``settings``, which needs a database
@pytest.fixture(scope="session")
def template_settings() -> Settings:
    return load_settings({})


@pytest.fixture(scope="session")
def template_generator(template_settings: Settings) -> TemplateGenerator:
    return TemplateGenerator(template_settings)
