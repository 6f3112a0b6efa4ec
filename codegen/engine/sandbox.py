"""Running one command over a copy of a generated project, inside bubblewrap.

Generated code is untrusted. It runs only here, and here only inside a
bubblewrap sandbox: new user, pid, network, ipc, uts, mount and cgroup
namespaces, no network at all, a clean environment, the host's ``/usr``, the
interpreter and a virtualenv mounted read-only, the project on a size-capped
tmpfs, a private ``/tmp`` and ``/proc``. Limits: address space, CPU seconds,
processes, file size, open files and a wall-clock timeout. When the command
ends, is cancelled or times out, the sandbox's pid namespace dies with
everything in it. Where no sandbox can start, nothing runs (``Sandbox.probe``
says why). docs/sandbox.md has the threat model.

The number of processes is capped by a pids cgroup when one is writable, and
otherwise by ``RLIMIT_NPROC``, which the kernel does not apply to processes
of host root: a server running as root without a writable cgroup refuses to
run generated code (the cgroup: engine/cgroup.py; what a run printed, made safe
to show: engine/run_output.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from codegen.config import SandboxLimits, SandboxSettings
from codegen.engine.cgroup import RunCgroup
from codegen.engine.run_output import OutputTail, sanitize, secret_redactions

SANDBOX_UID = 65534
WORKDIR = "/work"
VENV_DIR = "/venv"

# Inside the sandbox, before the command: prlimit applies the limits (after the user namespace exists, so
# they count this sandbox's processes), env drops the PWD bwrap sets and enters the working directory.
PRLIMIT = "/usr/bin/prlimit"
ENV = "/usr/bin/env"


class SandboxError(Exception):
    """The project cannot be placed in the sandbox (a path clash, a bad path); the text is safe to show."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # None: killed by the wall-clock limit
    output: str  # sanitized tail of stdout and stderr together
    duration_s: float
    timed_out: bool = False

    @property
    def signal(self) -> int | None:
        return -self.exit_code if self.exit_code is not None and self.exit_code < 0 else None


@dataclass(frozen=True)
class Sandbox:
    """A working bubblewrap sandbox; build one with ``probe``."""

    bwrap: str
    limits: SandboxLimits
    cgroup_parents: tuple[Path, ...] | None
    # strings that must never reach a user: host paths, secrets
    redactions: tuple[tuple[str, str], ...] = ()

    @classmethod
    async def probe(cls, settings: SandboxSettings) -> tuple[Sandbox | None, str | None]:
        """A sandbox that was seen to run a command here, or None and why not."""
        bwrap = shutil.which(settings.bwrap)
        if bwrap is None:
            return None, f"bubblewrap ({settings.bwrap}) is not installed on this host"
        missing = [tool for tool in (PRLIMIT, ENV) if not os.access(tool, os.X_OK)]
        if missing:
            return None, f"{' and '.join(missing)} (util-linux, coreutils) missing on this host"
        parents = RunCgroup.parents()
        if parents is None and os.geteuid() == 0:
            return None, (
                "the server runs as root without a writable pids cgroup, so the sandbox cannot cap its "
                "number of processes; run the server as an ordinary user"
            )
        sandbox = cls(bwrap, settings.limits, tuple(parents) if parents else None, secret_redactions(settings))
        python = base_python(settings)
        try:
            result = await sandbox.run({}, [python, "-I", "-S", "-c", "print('sandbox ok')"], python=python)
        except (OSError, SandboxError) as exc:
            return None, f"bubblewrap could not start: {exc}"
        if result.exit_code != 0 or "sandbox ok" not in result.output:
            detail = result.output.strip().splitlines()[-1] if result.output.strip() else f"exit {result.exit_code}"
            return None, f"bubblewrap cannot create its namespaces on this host ({detail[:200]})"
        return sandbox, None

    async def run(
        self,
        files: dict[str, str],
        command: list[str],
        *,
        python: str,
        venv: Path | None = None,
        timeout_seconds: float | None = None,
    ) -> RunResult:
        """Run ``command`` in ``/work`` holding ``files`` (``venv`` at ``/venv``, ``python``'s installation read-only).

        The files reach the sandbox's tmpfs through memory file descriptors: nothing of the project is
        written on the host. Cancelling the caller kills the sandbox, and everything in it, first.
        """
        timeout = self.limits.timeout_seconds if timeout_seconds is None else timeout_seconds
        cgroup: RunCgroup | None = None
        descriptors: list[int] = []
        try:
            placed = _place(files, descriptors)
            # the installation the interpreter lives in: mounted read-only, and kept out of the output
            prefix = _interpreter_prefix(venv, python)
            argv = self._bwrap_argv(placed, venv, prefix, command)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            if self.cgroup_parents:
                # named by the server's pid too, so an operator can tell whose runs they are
                cgroup = RunCgroup.create(list(self.cgroup_parents), f"{os.getpid()}-{uuid.uuid4().hex}", self.limits)
                # join the cgroup before bwrap starts, so nothing the project forks escapes the cap
                argv = ["/bin/sh", "-c", 'for f in $CGROUP_PROCS; do echo $$ > "$f"; done; exec "$@"', "sh", *argv]
                env["CGROUP_PROCS"] = " ".join(cgroup.procs_files)
            return await self._execute(argv, env, timeout, descriptors, _path_redactions(venv, prefix))
        finally:
            for fd in descriptors:
                os.close(fd)
            if cgroup is not None:
                await asyncio.shield(cgroup.remove())

    async def _execute(
        self, argv: list[str], env: dict[str, str], timeout: float, descriptors: list[int],
        path_redactions: list[tuple[str, str]],
    ) -> RunResult:
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True, pass_fds=descriptors,
        )
        tail = OutputTail(self.limits.output_chars * 4)
        reader = asyncio.create_task(tail.drain(proc.stdout))
        timed_out = False
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            timed_out = True
            _kill(proc)
            await proc.wait()
        except asyncio.CancelledError:
            _kill(proc)
            reader.cancel()
            await asyncio.shield(proc.wait())
            raise
        # the pipe may stay open in a daemon that outlived its parent for a moment; the kill ends it
        try:
            await asyncio.wait_for(asyncio.shield(reader), 5)
        except TimeoutError:
            reader.cancel()
        redactions = (*self.redactions, *path_redactions)
        output = sanitize(tail.text(), redactions)[-self.limits.output_chars :]
        return RunResult(None if timed_out else proc.returncode, output, time.monotonic() - started, timed_out)

    def _bwrap_argv(self, placed: list[str], venv: Path | None, prefix: Path | None, command: list[str]) -> list[str]:
        limits = self.limits
        argv = [
            self.bwrap,
            "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox",
            "--cap-drop", "ALL", "--clearenv",
            "--setenv", "PATH", (f"{VENV_DIR}/bin:" if venv else "") + "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
            "--ro-bind", "/usr", "/usr",
        ]
        for name in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
            top = Path("/") / name
            if top.is_symlink():
                argv += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                argv += ["--ro-bind", str(top), str(top)]
        for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime"):
            argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        if prefix is not None and not _under(prefix, "/usr"):
            argv += ["--ro-bind", str(prefix), str(prefix)]
        if venv is not None:
            argv += ["--ro-bind", str(venv), VENV_DIR]
        workdir_bytes = str(limits.workdir_mb * 1024 * 1024)
        argv += [
            "--proc", "/proc", "--dev", "/dev",
            "--size", workdir_bytes, "--tmpfs", "/tmp",
            "--size", workdir_bytes, "--tmpfs", WORKDIR,
            *placed,
            "--remount-ro", "/",
            "--",
            PRLIMIT,
            f"--as={limits.memory_mb * 1024 * 1024}",
            f"--cpu={max(1, int(limits.timeout_seconds)) + 1}",
            f"--nproc={limits.max_processes}",
            f"--fsize={limits.max_file_mb * 1024 * 1024}",
            f"--nofile={limits.max_open_files}",
            "--core=0",
            "--",
            ENV, "-u", "PWD", "-C", WORKDIR,
            *command,
        ]
        return argv


def base_python(settings: SandboxSettings) -> str:
    """The real interpreter file the sandbox runs (a virtualenv's python points into another installation)."""
    configured = settings.python or getattr(sys, "_base_executable", sys.executable)
    return str(Path(shutil.which(configured) or configured).resolve())


def _place(files: dict[str, str], descriptors: list[int]) -> list[str]:
    """bwrap arguments that write the project (and a passwd naming the sandbox's user) from memory files.

    Each file becomes a memfd that bwrap copies onto the sandbox's tmpfs; its descriptor is
    appended to ``descriptors`` (the caller passes them to bwrap and closes them).
    """
    args: list[str] = []

    def memory_file(content: str) -> str:
        fd = os.memfd_create("codegen-sandbox", os.MFD_CLOEXEC)
        descriptors.append(fd)
        os.write(fd, content.encode("utf-8"))
        os.lseek(fd, 0, os.SEEK_SET)
        return str(fd)

    args += ["--ro-bind-data", memory_file(f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:sandbox:/tmp:/bin/sh\n"), "/etc/passwd"]
    args += ["--ro-bind-data", memory_file(f"sandbox:x:{SANDBOX_UID}:\n"), "/etc/group"]
    directories: set[str] = set()
    for path in sorted(files):
        parts = PurePosixPath(path).parts
        if not parts or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise SandboxError(f"{path!r} is not a relative path inside the project")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory in files:
                raise SandboxError(f"{path!r} clashes with {directory!r}: a file and a directory of the same name")
            if directory not in directories:
                directories.add(directory)
                args += ["--dir", f"{WORKDIR}/{directory}"]
        args += ["--file", memory_file(files[path]), f"{WORKDIR}/{path}"]
    return args


def _interpreter_prefix(venv: Path | None, python: str) -> Path | None:
    """The installation the interpreter lives in (what ``/venv/bin/python`` points into)."""
    if venv is not None:
        cfg = venv / "pyvenv.cfg"
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                return Path(value.strip()).resolve().parent
        return None
    resolved = Path(shutil.which(python) or python).resolve()
    return resolved.parent.parent


def _under(path: Path, top: str) -> bool:
    return path == Path(top) or Path(top) in path.parents


def _path_redactions(venv: Path | None, prefix: Path | None) -> list[tuple[str, str]]:
    pairs = []
    if venv is not None:
        pairs.append((str(venv), VENV_DIR))
    if prefix is not None and not _under(prefix, "/usr"):
        pairs.append((str(prefix), "/python"))
    return pairs



def _kill(proc: asyncio.subprocess.Process) -> None:
    # bwrap's own session: the monitor and, through --die-with-parent, the whole pid namespace
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
