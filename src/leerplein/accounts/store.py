"""Who still has a start password (and so must choose a new one before anything else), kept by
root in the state folder: `accounts/startwachtwoord.json`, username -> when it was set. No
password is ever stored here."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

FOLDER = "accounts"
START_FILE = "startwachtwoord.json"


def folder(state: Path) -> Path:
    """state/accounts, root only; refused when someone put a link there."""
    path = Path(state) / FOLDER
    if path.is_symlink():
        path.unlink()
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _read(state: Path) -> dict:
    try:
        return json.loads((Path(state) / FOLDER / START_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(state: Path, data: dict) -> None:
    target = folder(state) / START_FILE
    tmp = target.with_name(f".{START_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, target)


def must_change(state: Path, user: str) -> bool:
    return user in _read(state)


def require_change(state: Path, user: str) -> None:
    data = _read(state)
    data[user] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _write(state, data)


def changed(state: Path, user: str) -> None:
    data = _read(state)
    if data.pop(user, None) is not None:
        _write(state, data)


class StartPasswords:
    """The hub's view of the file, read again only when it changed (asked on every page)."""

    def __init__(self, state: Path):
        self.path = Path(state) / FOLDER / START_FILE
        self.state = Path(state)
        self._stamp, self._users = None, set()

    def __contains__(self, user: str) -> bool:
        try:
            stamp = self.path.stat().st_mtime_ns
        except OSError:
            return False
        if stamp != self._stamp:
            self._users, self._stamp = set(_read(self.state)), stamp
        return user in self._users


def public_url(state: Path) -> str:
    """The address users type (written by `hub start`, see hub/public.py), with a slash at the end."""
    from leerplein.hub.public import public_url as hub_public_url

    url = hub_public_url(state)
    return url + "/" if url else os.environ.get("LEERPLEIN_PUBLIC_URL", "http://localhost:8100/")