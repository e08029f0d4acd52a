"""Students' own Leerplein folders in `hub backup` and `hub restore`: `~/Leerplein` (notes per
page, the Actieleerlogboek) and each fetched assignment folder `~/<assignment>` (drafts not yet
handed in, feedback she fetched). Stored as `homes/<user>/<folder>/...` in the archive.

A student controls every file in her home and can swap any of them for a link at any moment.
Root therefore reads her folders only through `O_NOFOLLOW` descriptors (tar_walk.py) and
takes only entries she owns (a hard link to a file of someone else is not hers); it writes them
back only from a process that runs as her, so a planted link can lead nowhere she could not
write herself."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pwd
import stat
import tarfile
from pathlib import Path

from leerplein.hub.tar_walk import NOFOLLOW, tar_entry, walk_nofollow

HOMES = "homes"
LEERPLEIN_FOLDER = "Leerplein"
MAX_BYTES_PER_PERSON = 200 * 2**20  # far more than notes and drafts; a student may fill her home


def people(state: Path) -> list[str]:
    from leerplein.hub.people import read_people

    return sorted(read_people(Path(state)))


def released(state: Path) -> list[str]:
    """Assignments students can have fetched: the exchange's outbound folders (root's)."""
    from leerplein.course.course import COURSE_ID

    outbound = Path(state) / "exchange" / COURSE_ID / "outbound"
    try:
        return sorted(p.name for p in outbound.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def add_homes(tar: tarfile.TarFile, state: Path, manifest: dict) -> None:
    folders = [LEERPLEIN_FOLDER, *released(state)]
    manifest.setdefault("homes", {})
    manifest.setdefault("not_hers", [])
    for user in people(state):
        try:
            entry = pwd.getpwnam(user)
            home_fd = os.open(entry.pw_dir, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW)
        except (KeyError, OSError):
            continue  # no account (yet) or no home on this machine
        budget = MAX_BYTES_PER_PERSON
        saved = manifest["homes"].setdefault(user, [])
        try:
            for folder in folders:
                try:
                    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=home_fd)
                except OSError:
                    continue  # not there, or a link
                try:
                    info = os.fstat(folder_fd)
                    top = Path(HOMES, user, folder)
                    if info.st_uid != entry.pw_uid:
                        manifest["not_hers"].append(str(top))
                        continue
                    tar.addfile(tar_entry(top, info))
                    saved.append(folder)
                    for rel, fd, info in walk_nofollow(folder_fd, top, manifest["too_deep"]):
                        if info.st_uid != entry.pw_uid:
                            manifest["not_hers"].append(str(rel))
                            continue
                        if stat.S_ISDIR(info.st_mode):
                            tar.addfile(tar_entry(rel, info))
                            continue
                        if info.st_size > budget:
                            manifest.setdefault("too_big", []).append(str(rel))
                            continue
                        with open(fd, "rb", closefd=False) as f:
                            data = f.read(budget + 1)[:budget]
                        budget -= len(data)
                        tar.addfile(tar_entry(rel, info, len(data)), io.BytesIO(data))
                        manifest["files"][str(rel)] = {"sha256": hashlib.sha256(data).hexdigest(),
                                                       "mtime": int(info.st_mtime), "sqlite": False}
                finally:
                    os.close(folder_fd)
        finally:
            os.close(home_fd)


def _as_user(user: str, work, *args):
    """Run work(*args) in a child process with the user's uid, gids and home; returns its JSON
    answer. The child never regains root."""
    entry = pwd.getpwnam(user)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read)
            os.setgroups(os.getgrouplist(user, entry.pw_gid))
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.umask(0o077)
            answer = work(Path(entry.pw_dir), *args)
        except BaseException as err:  # noqa: BLE001 - report anything to the parent
            answer, code = {"error": f"{type(err).__name__}: {err}"}, 1
        try:
            with os.fdopen(write, "w") as out:
                json.dump(answer, out)
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as incoming:
        text = incoming.read()
    os.waitpid(pid, 0)
    answer = json.loads(text or '{"error": "no answer"}')
    if "error" in answer:
        raise RuntimeError(f"as {user}: {answer['error']}")
    return answer


def _newer_in_home(home: Path, entries: list[dict]) -> dict:
    """(As her.) Files in her home that differ from the backup and were changed after it."""
    newer = []
    for entry in entries:
        target = home / entry["path"]
        try:
            if target.is_file() and not target.is_symlink() and target.stat().st_mtime > entry["mtime"] + 1 \
                    and hashlib.sha256(target.read_bytes()).hexdigest() != entry["sha256"]:
                newer.append(entry["path"])
        except OSError:
            continue
    return {"newer": newer}


def _write_in_home(home: Path, blob: str) -> dict:
    """(As her.) Unpack her part of the archive into her home; tar's "data" filter refuses links,
    devices and paths outside the home."""
    data = bytes.fromhex(blob)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(home, filter="data")
    return {"ok": True}


def home_members(tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict[str, list[tarfile.TarInfo]]:
    """The archive's home entries by user (homes/<user>/<folder>/...)."""
    out: dict[str, list[tarfile.TarInfo]] = {}
    for member in members:
        parts = Path(member.name).parts
        if parts[0] == HOMES and len(parts) >= 3:
            out.setdefault(parts[1], []).append(member)
    return out


def newer_in_homes(manifest: dict, by_user: dict[str, list[tarfile.TarInfo]]) -> list[str]:
    found = []
    for user, members in by_user.items():
        entries = [{"path": str(Path(*Path(m.name).parts[2:])), **manifest["files"][m.name]}
                   for m in members if m.isfile() and m.name in manifest["files"]]
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        found += [f"~{user}/{p}" for p in _as_user(user, _newer_in_home, entries)["newer"]]
    return found


def restore_homes(tar: tarfile.TarFile, by_user: dict[str, list[tarfile.TarInfo]]) -> tuple[int, dict, dict]:
    """Write each user's folders back into her home, as her. One user's failure (she replaced a
    folder by a link that leads out of her home) does not stop the others. Returns (files,
    unknown users with their entries, failed users with the reason)."""
    files, unknown, failed = 0, {}, {}
    for user, members in by_user.items():
        try:
            pwd.getpwnam(user)
        except KeyError:
            unknown[user] = [m.name for m in members]
            continue
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as own:
            for member in members:
                copy = tarfile.TarInfo(str(Path(*Path(member.name).parts[2:])))
                copy.type, copy.size, copy.mtime = member.type, member.size, member.mtime
                copy.mode = member.mode & 0o777
                own.addfile(copy, tar.extractfile(member) if member.isfile() else None)
        try:
            _as_user(user, _write_in_home, buffer.getvalue().hex())
        except RuntimeError as err:
            failed[user] = str(err)
            continue
        files += sum(1 for m in members if m.isfile())
    return files, unknown, failed
