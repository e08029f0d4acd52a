"""`leerplein hub backup` and `restore`: everything a course would miss after losing the
machine, in one root-only archive. SQLite databases (the gradebook, Peiling, the leerkring) are
copied with SQLite's backup API, so a copy made while grading runs is consistent. A restore
never overwrites newer data without being told to."""

from __future__ import annotations

import grp
import hashlib
import io
import json
import os
import pwd
import sqlite3
import stat
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.hub.home_backup import HOMES, add_homes, home_members, newer_in_homes, restore_homes
from leerplein.hub.tar_walk import NOFOLLOW, tar_entry, walk_nofollow

# what a hub's state holds that a course needs (relative to the state folder)
PARTS = ("course", "exchange", "peiling", "leerkring", "lti", "accounts")  # lti: tool key, LMS links, outbox; accounts: who still has a start password
MANIFEST = "leerplein-backup.json"


class BackupError(RuntimeError):
    pass


@dataclass
class Restored:
    files: int
    databases: int
    unknown_owners: dict[str, list[str]] = field(default_factory=dict)  # owner -> entries not restored
    homes: int = 0  # files written back into students' own folders
    homes_failed: dict[str, str] = field(default_factory=dict)  # user -> why her folders were not restored


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
    """Write the archive to a temporary name next to `output` and rename it when complete: a
    failed backup never leaves a truncated archive that looks like a good one. The manifest
    lists what was too deep to back up ("too_deep")."""
    state = Path(state).resolve()
    if not state.is_dir():
        raise BackupError(f"{state} is not a hub state folder")
    output = Path(output)
    manifest = {"made": time.time(), "state": str(state), "files": {}, "too_deep": []}
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    out = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    state_fd = os.open(state, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.fdopen(out, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for part in PARTS:
                    _add_part(tar, state, state_fd, part, manifest)
                add_homes(tar, state, manifest)  # students' own Leerplein folders (home_backup.py)
                blob = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(blob), int(manifest["made"]), 0o600
                tar.addfile(info, io.BytesIO(blob))
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.close(state_fd)
    return manifest


def _add_part(tar: tarfile.TarFile, state: Path, state_fd: int, part: str, manifest: dict) -> None:
    try:
        part_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=state_fd)
    except OSError:
        return  # not there, or not a real folder
    try:
        tar.addfile(tar_entry(Path(part), os.fstat(part_fd)))  # its owner and mode
        for rel, fd, info in walk_nofollow(part_fd, Path(part), manifest["too_deep"]):
            if stat.S_ISDIR(info.st_mode):
                tar.addfile(tar_entry(rel, info))
                continue
            with open(fd, "rb", closefd=False) as f:
                head = f.read(16)
                f.seek(0)
                # databases live in root's and the services' own folders, never in the exchange;
                # SQLite needs their real path to find a write-ahead log next to them
                sqlite = (part != "exchange" and rel.suffix in (".db", ".sqlite")
                          and head == b"SQLite format 3\x00")
                data = _snapshot(state / rel) if sqlite else f.read()
            tar.addfile(tar_entry(rel, info, len(data)), io.BytesIO(data))
            manifest["files"][str(rel)] = {"sha256": hashlib.sha256(data).hexdigest(),
                                           "mtime": int(info.st_mtime), "sqlite": sqlite}
    finally:
        os.close(part_fd)


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
            if Path(rel).parts[0] == HOMES:
                continue  # checked as their owner, below
            target = state / rel
            if target.is_file() and target.stat().st_mtime > meta["mtime"] + 1 and \
                    hashlib.sha256(target.read_bytes()).hexdigest() != meta["sha256"]:
                newer.append(rel)
        members = _checked_members(tar, archive)
        homes = home_members(tar, members)
        if not force:
            newer += newer_in_homes(manifest, homes)
        if newer and not force:
            raise BackupError(f"{len(newer)} file(s) in {state} are newer than this backup, for example "
                              f"{newer[0]}. Nothing was restored. Restore onto an empty state folder, or pass "
                              f"--force to overwrite them.")
        members = [m for m in members if Path(m.name).parts[0] != HOMES]
        from leerplein.hub.manage import _alive, pid_file

        running = pid_file(state)
        if running.is_file() and _alive(int(running.read_text() or 0)):
            raise BackupError(f"A hub is running on {state}. Stop it first (leerplein hub stop); nothing was restored.")
        blocked = _links_in_the_way(state, [m.name for m in members])
        if blocked:
            raise BackupError(f"{blocked} is a link; a restore never writes through links. Remove it or restore "
                              f"onto an empty state folder. Nothing was restored.")
        members, unknown = _known_owners(members)
        state.mkdir(parents=True, exist_ok=True)
        tar.extractall(state, members=list(members), filter="data" if hasattr(tarfile, "data_filter") else None)
        for member, (uid, gid) in members.items():  # owners as they were (students own their submissions)
            path = state / member.name
            os.chown(path, uid, gid, follow_symlinks=False)
            # never setuid/setgid: a student's planted program must not run as anyone else
            os.chmod(path, member.mode & ~(stat.S_ISUID | stat.S_ISGID))  # no links here: checked above
        home_files, home_unknown, home_failed = restore_homes(tar, homes)
    for user, entries in home_unknown.items():
        unknown.setdefault(user, []).extend(entries)
    return Restored(sum(1 for m in members if m.isfile()), sum(1 for m in manifest["files"].values() if m["sqlite"]),
                    unknown, home_files, home_failed)


def _checked_members(tar: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    """Every entry but the manifest; an archive with a link, an absolute path, `..` or an unknown
    top folder is refused whole."""
    members = []
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        parts = Path(member.name).parts
        if member.issym() or member.islnk() or ".." in parts or Path(member.name).is_absolute() \
                or parts[0] not in (*PARTS, HOMES) or not (member.isfile() or member.isdir()):
            raise BackupError(f"{archive} holds an unsafe entry ({member.name}); nothing was restored")
        members.append(member)
    return members


def _known_owners(members: list[tarfile.TarInfo]) -> tuple[dict, dict[str, list[str]]]:
    """Each entry's owner on this machine, looked up by the name in the archive (uids differ
    between machines). Entries of people unknown here, and everything below them, are left out."""
    known, unknown, skipped = {}, {}, []
    for member in members:
        if any(member.name.startswith(f"{s}/") for s in skipped):
            continue
        name = member.uname or ("root" if member.uid == 0 else "")
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            unknown.setdefault(name or f"uid {member.uid}", []).append(member.name)
            skipped.append(member.name)
            continue
        try:
            gid = grp.getgrnam(member.gname).gr_gid if member.gname else user.pw_gid
        except KeyError:
            gid = user.pw_gid
        known[member] = (user.pw_uid, gid)
    return known, unknown
