"""Each component's settings slice reads the environment variables README's Configuration names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from codegen.config import load_settings
from codegen.generators.llm_output import language_fits
from codegen.generators.openai.prompts import render_file
from codegen.languages import language_for

ENVIRONMENT = {
    "CODEGEN_LLM_BASE_URL": "http://models.internal:8080/v1",
    "CODEGEN_LLM_API_KEY": "sk-slice-test",
    "CODEGEN_LLM_MODEL": "slice-model",
    "CODEGEN_LLM_MAX_TOKENS": "12345",
    "CODEGEN_LLM_TIMEOUT_SECONDS": "7.5",
    "CODEGEN_WORKER_CONCURRENCY": "3",
    "CODEGEN_MODEL_CONCURRENCY": "33",
    "CODEGEN_WORKER_POLL_SECONDS": "2.5",
    "CODEGEN_LEASE_SECONDS": "40",
    "CODEGEN_MAX_ATTEMPTS": "5",
    "CODEGEN_STAGE_DELAY": "0.25",
    "CODEGEN_DAILY_TOKEN_BUDGET": "1000",
    "CODEGEN_GLOBAL_DAILY_TOKEN_LIMIT": "9000",
    "CODEGEN_VALIDATE": "syntax",
    "CODEGEN_REPAIR_ROUNDS": "4",
    "CODEGEN_VALIDATE_PYTHON": "python3.12",
    "CODEGEN_VALIDATE_TIMEOUT_SECONDS": "61",
    "CODEGEN_VALIDATE_MEMORY_MB": "512",
    "CODEGEN_SANDBOX_BWRAP": "/opt/bwrap",
    "CODEGEN_SANDBOX_CONCURRENCY": "6",
    "CODEGEN_SANDBOX_MAX_PROCESSES": "32",
    "CODEGEN_SANDBOX_MAX_FILE_MB": "16",
    "CODEGEN_SANDBOX_MAX_OPEN_FILES": "128",
    "CODEGEN_SANDBOX_WORKDIR_MB": "64",
    "CODEGEN_SANDBOX_OUTPUT_CHARS": "4000",
    "CODEGEN_SANDBOX_CACHE_DIR": "/var/cache/venvs",
    "CODEGEN_SANDBOX_PIP_TIMEOUT_SECONDS": "90",
    "CODEGEN_SANDBOX_VENV_MAX_MB": "256",
    "CODEGEN_SANDBOX_CACHE_MAX_MB": "2048",
    "CODEGEN_DATA_DIR": "/srv/codegen",
    "CODEGEN_JWT_SECRET": "j" * 40,
    "CODEGEN_METRICS_TOKEN": "scraper-token",
    "DATABASE_URL": "postgresql://app:pw@db/codegen",
}


def test_every_slice_field_comes_from_its_variable() -> None:
    settings = load_settings(ENVIRONMENT)
    llm, engine = settings.llm, settings.engine
    validation = engine.validation
    sandbox, limits, dependencies = validation.sandbox, validation.sandbox.limits, validation.dependencies

    assert dataclasses.astuple(llm) == ("http://models.internal:8080/v1", "sk-slice-test", "slice-model", 12345, 7.5)
    assert (engine.concurrency, engine.model_concurrency, engine.poll_seconds, engine.lease_seconds,
            engine.max_attempts, engine.stage_delay) == (3, 33, 2.5, 40.0, 5, 0.25)
    assert (engine.daily_token_budget, engine.global_daily_token_limit) == (1000, 9000)
    assert engine.model_endpoint == "http://models.internal:8080/v1"
    assert (validation.mode, validation.repair_rounds) == ("syntax", 4)
    assert (sandbox.bwrap, sandbox.python, sandbox.concurrency, sandbox.data_dir) == (
        "/opt/bwrap", "python3.12", 6, Path("/srv/codegen"))
    assert dataclasses.astuple(limits) == (61.0, 512, 32, 16, 128, 64, 4000)
    assert dataclasses.astuple(dependencies) == (Path("/var/cache/venvs"), 90.0, 256, 2048)
    # what a sandboxed run's output must never show
    assert set(sandbox.secrets) == {"j" * 40, "sk-slice-test", "postgresql://app:pw@db/codegen", "scraper-token",
                                    "http://models.internal:8080/v1"}


def test_slices_are_frozen_and_keep_secrets_out_of_their_repr() -> None:
    settings = load_settings(ENVIRONMENT)
    assert "sk-slice-test" not in repr(settings.llm)
    assert "scraper-token" not in repr(settings.engine)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.llm.model = "other"  # type: ignore[misc]


def test_the_dependency_cache_defaults_under_the_data_folder() -> None:
    settings = load_settings({"CODEGEN_DATA_DIR": "/srv/codegen"})
    assert settings.validation.dependencies.cache_dir == Path("/srv/codegen/sandbox/venvs")
    assert settings.validation.sandbox.secrets == ()


def test_one_language_map_for_the_api_and_the_model() -> None:
    assert [language_for(p) for p in ("run.sh", "app.tsx", "Dockerfile", "notes.xyz")] == [
        "shell", "typescript", "dockerfile", "text"]
    # the model is shown a file under the language the API gives it
    assert render_file("run.sh", "echo hi\n").splitlines()[1] == "```shell path=run.sh"
    # and a block the model fences as bash is still taken for a shell script
    assert language_fits("bash", "scripts/run.sh") and language_fits("shell", "scripts/run.sh")
    assert not language_fits("bash", "requirements.txt")
