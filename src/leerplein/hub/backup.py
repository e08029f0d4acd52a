"""`leerplein hub backup` and `restore`: everything a course would miss after losing the
machine, in one root-only archive. SQLite databases (the gradebook, Peiling, the leerkring) are
copied with SQLite's backup API, so a copy made while grading runs is consistent. A restore
never overwrites newer data without being told to."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# what a hub's state holds that a course needs (relative to the state folder)
PARTS = ("course", "exchange", "peiling", "leerkring")
SKIP = {".ipynb_checkpoints", "__pycache__"}
MANIFEST = "leerplein-backup.json"


class BackupError(RuntimeError):
    pass


@dataclass
class Restored:
    files: int
    databases: int


def _is_sqlite(path: Path) -> bool:
    if path.suffix not in (".db", ".sqlite") or not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _snapshot(db: Path) -> bytes:
    """A consistent copy of a live SQLite database."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "copy"
        source = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target.read_bytes()


def backup(state: Path, output: Path) -> dict:
    state = Path(state).resolve()
    if not state.is_dir():
        raise BackupError(f"{state} is not a hub state folder")
    manifest = {"made": time.time(), "state": str(state), "files": {}}
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for part in PARTS:
            base = state / part
            if not base.is_dir() or base.is_symlink():
                continue
            tar.addfile(tar.gettarinfo(str(base), arcname=part))  # its owner and mode (the exchange is 1777)
            for path in sorted(base.rglob("*")):
                rel = path.relative_to(state)
                if SKIP & set(rel.parts) or path.name.endswith(("-wal", "-shm", "-journal")):
                    continue
                info = tar.gettarinfo(str(path), arcname=str(rel))
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    continue  # links and special files a student may have planted are not copied
                if path.is_dir():
                    tar.addfile(info)
                    continue
                data = _snapshot(path) if _is_sqlite(path) else path.read_bytes()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                manifest["files"][str(rel)] = {"sha256": hashlib.sha256(data).hexdigest(), "mtime": info.mtime,
                                               "sqlite": _is_sqlite(path)}
        blob = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(blob), int(manifest["made"]), 0o600
        tar.addfile(info, io.BytesIO(blob))
    return manifest


def restore(archive: Path, state: Path, force: bool = False) -> Restored:
    state = Path(state).resolve()
    with tarfile.open(archive, "r:gz") as tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except KeyError as err:
            raise BackupError(f"{archive} is not a Leerplein backup (no {MANIFEST})") from err
        newer = []
        for rel, meta in manifest["files"].items():
            target = state / rel
            if target.is_file() and target.stat().st_mtime > meta["mtime"] + 1 and \
                    hashlib.sha256(target.read_bytes()).hexdigest() != meta["sha256"]:
                newer.append(rel)
        if newer and not force:
            raise BackupError(f"{len(newer)} file(s) in {state} are newer than this backup, for example "
                              f"{newer[0]}. Nothing was restored. Restore onto an empty state folder, or pass "
                              f"--force to overwrite them.")
        members = []
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            parts = Path(member.name).parts
            if member.issym() or member.islnk() or ".." in parts or Path(member.name).is_absolute() \
                    or parts[0] not in PARTS:
                raise BackupError(f"{archive} holds an unsafe entry ({member.name}); nothing was restored")
            members.append(member)
        state.mkdir(parents=True, exist_ok=True)
        tar.extractall(state, members=members, filter="data" if hasattr(tarfile, "data_filter") else None)
        for member in members:  # owners and modes as they were (students own their submissions)
            path = state / member.name
            os.chown(path, member.uid, member.gid, follow_symlinks=False)
            os.chmod(path, member.mode)
    return Restored(sum(1 for m in members if m.isfile()), sum(1 for m in manifest["files"].values() if m["sqlite"]))
