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
import stat
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


NOFOLLOW = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _walk(dir_fd: int, rel: Path):
    """Every directory and regular file below an open directory, opened relative to their parent
    with O_NOFOLLOW: students write in the exchange, and a link they plant (or swap in while the
    backup runs) is never followed by root. Yields (relative path, fd, stat) with fd open."""
    for name in sorted(os.listdir(dir_fd)):
        if name in SKIP or name.endswith(("-wal", "-shm", "-journal")):
            continue
        try:
            fd = os.open(name, os.O_RDONLY | NOFOLLOW, dir_fd=dir_fd)
        except OSError:
            continue  # a link (ELOOP), a fifo nobody writes, or gone meanwhile
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            yield rel / name, fd, info
            yield from _walk(fd, rel / name)
            os.close(fd)
        elif stat.S_ISREG(info.st_mode):
            yield rel / name, fd, info
            os.close(fd)
        else:
            os.close(fd)


def _tarinfo(rel: Path, info: os.stat_result, size: int = 0) -> tarfile.TarInfo:
    entry = tarfile.TarInfo(str(rel))
    entry.type = tarfile.DIRTYPE if stat.S_ISDIR(info.st_mode) else tarfile.REGTYPE
    entry.mode, entry.uid, entry.gid, entry.mtime, entry.size = (stat.S_IMODE(info.st_mode), info.st_uid,
                                                                 info.st_gid, int(info.st_mtime), size)
    return entry


def backup(state: Path, output: Path) -> dict:
    state = Path(state).resolve()
    if not state.is_dir():
        raise BackupError(f"{state} is not a hub state folder")
    manifest = {"made": time.time(), "state": str(state), "files": {}}
    out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    state_fd = os.open(state, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.fdopen(out, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for part in PARTS:
                try:
                    part_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=state_fd)
                except OSError:
                    continue  # not there, or not a real folder
                tar.addfile(_tarinfo(Path(part), os.fstat(part_fd)))  # its owner and mode (the exchange is 1777)
                for rel, fd, info in _walk(part_fd, Path(part)):
                    if stat.S_ISDIR(info.st_mode):
                        tar.addfile(_tarinfo(rel, info))
                        continue
                    with open(fd, "rb", closefd=False) as f:
                        head = f.read(16)
                        f.seek(0)
                        # databases live in root's and the services' own folders, never in the exchange;
                        # SQLite needs their real path to find a write-ahead log next to them
                        sqlite = (part != "exchange" and rel.suffix in (".db", ".sqlite")
                                  and head == b"SQLite format 3\x00")
                        data = _snapshot(state / rel) if sqlite else f.read()
                    tar.addfile(_tarinfo(rel, info, len(data)), io.BytesIO(data))
                    manifest["files"][str(rel)] = {"sha256": hashlib.sha256(data).hexdigest(),
                                                   "mtime": int(info.st_mtime), "sqlite": sqlite}
                os.close(part_fd)
            blob = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(blob), int(manifest["made"]), 0o600
            tar.addfile(info, io.BytesIO(blob))
    finally:
        os.close(state_fd)
    return manifest


def _links_in_the_way(state: Path, names: list[str]) -> str | None:
    """A link anywhere on the path of an entry to restore (a student may have planted one in the
    exchange): root must not write through it."""
    for name in names:
        current = state
        for part in Path(name).parts:
            current = current / part
            if current.is_symlink():
                return str(current)
            if not current.exists():
                break
    return None


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
        from leerplein.hub.manage import _alive, pid_file

        running = pid_file(state)
        if running.is_file() and _alive(int(running.read_text() or 0)):
            raise BackupError(f"A hub is running on {state}. Stop it first (leerplein hub stop); nothing was restored.")
        blocked = _links_in_the_way(state, [m.name for m in members])
        if blocked:
            raise BackupError(f"{blocked} is a link; a restore never writes through links. Remove it or restore "
                              f"onto an empty state folder. Nothing was restored.")
        state.mkdir(parents=True, exist_ok=True)
        tar.extractall(state, members=members, filter="data" if hasattr(tarfile, "data_filter") else None)
        for member in members:  # owners and modes as they were (students own their submissions)
            path = state / member.name
            os.chown(path, member.uid, member.gid, follow_symlinks=False)
            os.chmod(path, member.mode)  # no links on these paths: checked above
    return Restored(sum(1 for m in members if m.isfile()), sum(1 for m in manifest["files"].values() if m["sqlite"]))
