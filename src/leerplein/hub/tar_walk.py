"""Reading folders that students write in, for an archive: every entry opened relative to its
parent with O_NOFOLLOW, so root never follows a link a student planted (backup.py, home_backup.py)."""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tarfile
from pathlib import Path

SKIP = {".ipynb_checkpoints", "__pycache__"}
NOFOLLOW = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
MAX_DEPTH = 32  # far deeper than anything a course makes; students can plant deeper chains


def walk_nofollow(dir_fd: int, rel: Path, too_deep: list[str]):
    """Every directory and regular file below an open directory, opened relative to their parent
    with O_NOFOLLOW: students write in the exchange, and a link they plant (or swap in while the
    backup runs) is never followed by root. Without recursion, and at most MAX_DEPTH levels down
    (what is deeper is skipped and listed in too_deep): a student's chain of thousands of folders
    must not break the backup. Yields (relative path, fd, stat); the fd is closed afterwards."""
    stack = [(dir_fd, rel, iter(sorted(os.listdir(dir_fd))), False)]
    while stack:
        fd_dir, here, names, owned = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            if owned:
                os.close(fd_dir)
            continue
        if name in SKIP or name.endswith(("-wal", "-shm", "-journal")):
            continue
        try:
            fd = os.open(name, os.O_RDONLY | NOFOLLOW, dir_fd=fd_dir)
        except OSError:
            continue  # a link (ELOOP), a fifo nobody writes, or gone meanwhile
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            if len(here.parts) >= MAX_DEPTH:
                too_deep.append(str(here / name))
                os.close(fd)
                continue
            yield here / name, fd, info
            try:
                listing = sorted(os.listdir(fd))
            except OSError:
                os.close(fd)
                continue
            stack.append((fd, here / name, iter(listing), True))
        elif stat.S_ISREG(info.st_mode):
            yield here / name, fd, info
            os.close(fd)
        else:
            os.close(fd)


def _name(lookup, number: int) -> str:
    try:
        return lookup(number)[0]
    except KeyError:
        return ""


def tar_entry(rel: Path, info: os.stat_result, size: int = 0) -> tarfile.TarInfo:
    entry = tarfile.TarInfo(str(rel))
    entry.type = tarfile.DIRTYPE if stat.S_ISDIR(info.st_mode) else tarfile.REGTYPE
    entry.mode, entry.uid, entry.gid, entry.mtime, entry.size = (stat.S_IMODE(info.st_mode), info.st_uid,
                                                                 info.st_gid, int(info.st_mtime), size)
    # owners by name: on a new machine the same uid may belong to someone else
    entry.uname, entry.gname = _name(pwd.getpwuid, info.st_uid), _name(grp.getgrgid, info.st_gid)
    return entry
