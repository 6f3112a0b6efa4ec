"""Where the client keeps its tokens: $XDG_CONFIG_HOME/codegen/credentials.json (mode 0600)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:8000"


def config_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "codegen"


@dataclass
class Credentials:
    """One token per server, and the server last signed in to (the default for --server)."""

    path: Path
    data: dict[str, Any]

    @classmethod
    def load(cls, env: Mapping[str, str]) -> Credentials:
        path = config_dir(env) / "credentials.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            raise SystemExit(f"codegen: cannot read {path}: {exc}") from None
        if not isinstance(data, dict):
            data = {}
        data.setdefault("servers", {})
        return cls(path, data)

    @property
    def default_server(self) -> str:
        return str(self.data.get("default_server") or DEFAULT_SERVER)

    def token(self, server: str) -> str | None:
        entry = self.data["servers"].get(server) or {}
        return entry.get("token")

    def email(self, server: str) -> str | None:
        entry = self.data["servers"].get(server) or {}
        return entry.get("email")

    def save(self, server: str, email: str, token: str) -> None:
        self.data["servers"][server] = {"email": email, "token": token}
        self.data["default_server"] = server
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # written to a new file created 0600 (never readable by others, not even for an instant), then renamed
        partial = self.path.with_name(self.path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.data, out, indent=2)
        os.chmod(partial, 0o600)
        os.replace(partial, self.path)
