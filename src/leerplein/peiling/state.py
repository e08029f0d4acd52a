"""A service's state folder and secret, and Peiling's store: shared by every way Peiling (and the
leerkring) runs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from leerplein.peiling.store import Store


def state_secret(state_dir: Path) -> bytes:
    """A service's state folder (0700) and its secret (0600), made on first use."""
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    secret_file = state_dir / "geheim"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.write(fd, secrets.token_bytes(32))
        os.close(fd)
    return secret_file.read_bytes()


def open_state(state_dir: Path):
    """Peiling's secret and store: shared by every way Peiling runs."""
    secret = state_secret(state_dir)
    return Store(state_dir / "peiling.sqlite", secret), secret
