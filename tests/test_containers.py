"""compose.yaml and the Dockerfile agree (no container engine runs here to try them): the port, the
environment, the data volume, the commands, the health check; and the health check's own command
works against a real server on the port CODEGEN_PORT names."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.conftest import ServerFactory
from tests.hardening import ROOT, free_port


def dockerfile() -> dict[str, Any]:
    """The instructions that matter, with continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    instructions = [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found: dict[str, Any] = {"ENV": {}, "RUN": [], "EXPOSE": [], "VOLUME": [], "HEALTHCHECK": [], "CMD": []}
    for line in instructions:
        keyword, _, rest = line.partition(" ")
        if keyword == "ENV":
            found["ENV"].update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
        elif keyword in found:
            found[keyword].append(rest)
    return found


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_the_image_has_a_data_volume_bubblewrap_and_a_health_check_on_codegen_port() -> None:
    image = dockerfile()
    assert image["VOLUME"] == [image["ENV"]["CODEGEN_DATA_DIR"]] == ["/var/lib/codegen"]
    assert image["EXPOSE"] == [image["ENV"]["CODEGEN_PORT"]]
    assert any("apt-get install" in run and "bubblewrap" in run.split() for run in image["RUN"])
    [health] = image["HEALTHCHECK"]
    assert "CODEGEN_PORT" in health and "/api/health" in health
    assert not re.search(r"127\.0\.0\.1:\d", health), "the health check must follow CODEGEN_PORT, not a fixed port"
    assert image["CMD"] == ['["codegen", "serve"]']


def test_compose_runs_postgres_the_api_and_workers_as_the_image_expects() -> None:
    image = dockerfile()
    services = compose()["services"]
    assert set(services) == {"postgres", "api", "worker"}
    api, worker, postgres = services["api"], services["worker"], services["postgres"]
    assert api["command"] == ["codegen", "serve", "--no-worker"]
    assert worker["command"] == ["codegen", "worker"]
    for service in (api, worker):
        assert service["build"] == "."
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        # the data folder is the image's volume
        assert [v.split(":")[1] for v in service["volumes"]] == image["VOLUME"]
        env = service["environment"]
        assert "CODEGEN_JWT_SECRET" in env
        database = urlsplit(env["DATABASE_URL"])
        assert database.hostname == "postgres" and database.port == 5432
        assert database.username == postgres["environment"]["POSTGRES_USER"]
        assert database.password == postgres["environment"]["POSTGRES_PASSWORD"]
        assert database.path == "/" + postgres["environment"]["POSTGRES_DB"]
    # one environment for both: the same secret and database
    assert api["environment"] == worker["environment"]
    # the published port is the one the API listens on (and the health check asks)
    port = api["environment"]["CODEGEN_PORT"]
    assert [p.rsplit(":", 1)[1] for p in api["ports"]] == [port] == image["EXPOSE"]
    # the worker serves no HTTP: an HTTP health check would call it unhealthy
    assert worker["healthcheck"] == {"disable": True}
    assert "healthcheck" not in api
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert set(compose()["volumes"]) == {v.split(":")[0] for v in (*api["volumes"], *postgres["volumes"])}


async def test_the_health_check_command_follows_codegen_port(make_server: ServerFactory) -> None:
    server = await make_server(worker=False)
    [health] = dockerfile()["HEALTHCHECK"]
    command = health.split(" CMD ", 1)[1].replace("python ", f"{shlex.quote(sys.executable)} ", 1)

    async def check(port: int) -> int:
        env = {**os.environ, "CODEGEN_PORT": str(port)}
        process = await asyncio.create_subprocess_shell(
            command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        return await process.wait()

    assert await check(urlsplit(server.url).port or 0) == 0
    assert await check(free_port()) != 0  # nothing there: unhealthy


def test_compose_is_documented() -> None:
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for needle in ("compose.yaml", "codegen serve --no-worker", "codegen worker", "VOLUME /var/lib/codegen",
                   "CODEGEN_PORT", "bubblewrap"):
        assert needle in text, needle
    assert Path(ROOT / "compose.yaml").is_file()
