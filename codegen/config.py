"""Settings from the environment, validated once at start.

Every setting is documented in README.md ("Configuration"); keep the two in step. ``Settings`` is
the whole configuration, flat as the environment names it; each component takes only its slice
(``settings.llm``, ``settings.engine``, ``settings.validation``), a frozen value built from it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ENV_PREFIX = "CODEGEN_"
# an HS256 key shorter than its hash output is guessable offline from one token
JWT_SECRET_MIN_BYTES = 32


@dataclass(frozen=True)
class LLMSettings:
    """The openai provider's slice: the model endpoint, one generation's token budget and time limit."""

    base_url: str | None
    api_key: str | None = field(repr=False)
    model: str | None
    max_tokens: int
    timeout_seconds: float


@dataclass(frozen=True)
class SandboxLimits:
    """What one sandboxed run may use."""

    timeout_seconds: float
    memory_mb: int
    max_processes: int
    max_file_mb: int
    max_open_files: int
    workdir_mb: int
    output_chars: int


@dataclass(frozen=True)
class SandboxSettings:
    """The sandbox's slice: the bubblewrap to run, its limits, and what its output must never show."""

    bwrap: str
    # the interpreter that creates the sandbox's virtualenvs (None: the server's own Python)
    python: str | None
    limits: SandboxLimits
    # sandboxed runs at once per process (None: the number of CPUs)
    concurrency: int | None
    # replaced in every output a user sees: the host's data folder and the service's secrets
    data_dir: Path
    secrets: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class DependencySettings:
    """The slice of the virtualenvs that hold generated projects' requirements."""

    cache_dir: Path
    pip_timeout_seconds: float
    venv_max_mb: int
    cache_max_mb: int


@dataclass(frozen=True)
class ValidationSettings:
    """How generated projects are checked: their own tests in the sandbox, and repair rounds when they fail."""

    mode: Literal["syntax", "tests"]
    repair_rounds: int
    sandbox: SandboxSettings
    dependencies: DependencySettings


@dataclass(frozen=True)
class EngineSettings:
    """The worker's and its pipeline's slice (the ``worker`` setting only says whether a process runs one)."""

    concurrency: int
    model_concurrency: int
    poll_seconds: float
    lease_seconds: float
    max_attempts: int
    stage_delay: float
    # the spending stop (0: off)
    daily_token_budget: int
    global_daily_token_limit: int
    # the model endpoint's address, kept out of the errors users read
    model_endpoint: str | None
    validation: ValidationSettings


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # production: refuse to start without a strong CODEGEN_JWT_SECRET (docs/security.md)
    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    # unset: an embedded PostgreSQL with its data under data_dir
    database_url: str | None = None
    data_dir: Path = Path(".codegen-data")
    db_pool_min: int = Field(2, ge=1)
    db_pool_max: int = Field(10, ge=1)
    # a database that does not answer the health probe within this long is taken as unreachable
    db_probe_timeout_seconds: float = Field(1.0, gt=0)

    jwt_secret: str | None = None
    jwt_ttl_seconds: int = Field(60 * 60 * 24, ge=60)

    # sign-in throttling (docs/security.md): failures allowed before exponential backoff starts
    login_free_attempts: int = Field(5, ge=1)  # per account
    login_address_free_attempts: int = Field(20, ge=0)  # per client address; 0: off
    login_backoff_base_seconds: int = Field(1, ge=1)  # the first wait; doubled on each further failure
    login_backoff_max_seconds: int = Field(900, ge=1)
    register_rate_limit: int = Field(10, ge=0)  # per client address per minute; 0: off
    password_hash_concurrency: int = Field(2, ge=1)  # argon2 hashes at once per process
    password_hash_queue: int = Field(32, ge=0)  # requests waiting for a slot before 503
    # take the client address from the last X-Forwarded-For entry (only behind a proxy that sets it)
    trust_forwarded_for: bool = False

    worker: bool = True
    worker_concurrency: int = Field(4, ge=1)
    model_concurrency: int = Field(200, ge=1)
    # processes for CPU work off the event loop (template generation, review); unset: the number of CPUs
    cpu_workers: int | None = Field(None, ge=1)
    worker_poll_seconds: float = Field(5.0, gt=0)
    lease_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(3, ge=1)
    stage_delay: float = Field(0.0, ge=0)

    stream_token_ttl_seconds: int = Field(60, ge=1)
    stream_token_rate_limit: int = Field(10, ge=0)  # per user per minute; 0: off
    preview_ttl_seconds: int = Field(300, ge=10)  # a web-page preview link's lifetime
    generate_rate_limit: int = Field(30, ge=0)  # per user per minute; 0: off
    sse_ping_seconds: float = Field(15.0, gt=0)
    sse_queue_size: int = Field(256, ge=1)

    # quotas (0: off)
    max_active_generations: int = Field(20, ge=0)  # pending plus processing, per user
    max_streams_per_user: int = Field(20, ge=0)  # open streams per user, across all processes
    daily_token_budget: int = Field(2_000_000, ge=0)  # LLM tokens per user per UTC day
    global_daily_token_limit: int = Field(50_000_000, ge=0)  # all users, per UTC day: the spending stop

    provider: Literal["template", "openai"] = "template"
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_max_tokens: int = Field(200_000, ge=1)
    llm_timeout_seconds: float = Field(120.0, gt=0)
    # tests: every generated project's own tests run in the sandbox; syntax: static review only
    validate_mode: Literal["syntax", "tests"] = "tests"
    # the interpreter that creates the sandbox's virtualenvs (unset: the server's own Python)
    validate_python: str | None = None
    validate_timeout_seconds: float = Field(120.0, gt=0)
    validate_memory_mb: int = Field(1024, ge=64)
    repair_rounds: int = Field(2, ge=0, le=10)

    sandbox_bwrap: str = "bwrap"
    # unset: the number of CPUs (sandboxed runs are CPU-bound)
    sandbox_concurrency: int | None = Field(None, ge=1)
    sandbox_max_processes: int = Field(64, ge=4)
    sandbox_max_file_mb: int = Field(64, ge=1)
    sandbox_max_open_files: int = Field(256, ge=16)
    sandbox_workdir_mb: int = Field(256, ge=8)
    sandbox_output_chars: int = Field(8000, ge=500)
    # unset: <data_dir>/sandbox/venvs
    sandbox_cache_dir: Path | None = None
    sandbox_pip_timeout_seconds: float = Field(300.0, gt=0)
    sandbox_venv_max_mb: int = Field(1024, ge=16)
    sandbox_cache_max_mb: int = Field(4096, ge=16)

    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # set: GET /metrics wants "Authorization: Bearer <this>" (a scraper's secret, not a user's token)
    metrics_token: str | None = None
    log_level: str = "INFO"
    # auto: text when stderr is a terminal, JSON otherwise
    log_format: Literal["auto", "json", "text"] = "auto"

    @model_validator(mode="after")
    def _strong_secret(self) -> Settings:
        if self.jwt_secret is not None and len(self.jwt_secret.encode()) < JWT_SECRET_MIN_BYTES:
            raise ValueError(f"jwt_secret must be at least {JWT_SECRET_MIN_BYTES} bytes")
        if self.env == "production" and self.jwt_secret is None:
            raise ValueError(f"jwt_secret is required when CODEGEN_ENV=production (at least {JWT_SECRET_MIN_BYTES} bytes)")
        return self

    # The slices: each names its fields as its component reads them, so each property below maps
    # environment-named fields onto one slice (the same shape three times, over different fields).

    @property
    def llm(self) -> LLMSettings:
        return LLMSettings(
            base_url=self.llm_base_url,
            api_key=self.llm_api_key,
            model=self.llm_model,
            max_tokens=self.llm_max_tokens,
            timeout_seconds=self.llm_timeout_seconds,
        )

    @property
    def validation(self) -> ValidationSettings:
        limits = SandboxLimits(
            timeout_seconds=self.validate_timeout_seconds,
            memory_mb=self.validate_memory_mb,
            max_processes=self.sandbox_max_processes,
            max_file_mb=self.sandbox_max_file_mb,
            max_open_files=self.sandbox_max_open_files,
            workdir_mb=self.sandbox_workdir_mb,
            output_chars=self.sandbox_output_chars,
        )
        secrets = (self.jwt_secret, self.llm_api_key, self.database_url, self.metrics_token, self.llm_base_url)
        sandbox = SandboxSettings(
            bwrap=self.sandbox_bwrap,
            python=self.validate_python,
            limits=limits,
            concurrency=self.sandbox_concurrency,
            data_dir=self.data_dir,
            secrets=tuple(secret for secret in secrets if secret),
        )
        dependencies = DependencySettings(
            cache_dir=self.sandbox_cache_dir or self.data_dir / "sandbox" / "venvs",
            pip_timeout_seconds=self.sandbox_pip_timeout_seconds,
            venv_max_mb=self.sandbox_venv_max_mb,
            cache_max_mb=self.sandbox_cache_max_mb,
        )
        return ValidationSettings(
            mode=self.validate_mode, repair_rounds=self.repair_rounds, sandbox=sandbox, dependencies=dependencies
        )

    @property
    def engine(self) -> EngineSettings:
        return EngineSettings(
            concurrency=self.worker_concurrency,
            model_concurrency=self.model_concurrency,
            poll_seconds=self.worker_poll_seconds,
            lease_seconds=self.lease_seconds,
            max_attempts=self.max_attempts,
            stage_delay=self.stage_delay,
            daily_token_budget=self.daily_token_budget,
            global_daily_token_limit=self.global_daily_token_limit,
            model_endpoint=self.llm_base_url,
            validation=self.validation,
        )


# env var (without prefix, or the full name for DATABASE_URL) -> field
_ENV_FIELDS = {
    "DATABASE_URL": "database_url",
    "CODEGEN_VALIDATE": "validate_mode",
}


def load_settings(env: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Read CODEGEN_* (and DATABASE_URL) from ``env``; ``overrides`` win."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {}
    for name in Settings.model_fields:
        key = ENV_PREFIX + name.upper()
        if key in env and env[key] != "":
            values[name] = env[key]
    for key, name in _ENV_FIELDS.items():
        if env.get(key):
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" if e["loc"] else e["msg"]
            for e in exc.errors()
        )
        raise SystemExit(f"invalid configuration: {problems}") from None
