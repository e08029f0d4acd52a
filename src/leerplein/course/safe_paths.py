"""Paths in the course folder built from names that come from outside (a URL, a form, a folder
name): each part must be one plain name, and no part on the way may be a link. The course
folder is the teacher's alone (0700), so checking before opening is enough there; what is read
is still opened with O_NOFOLLOW."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

NAME = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,99}")


class UnsafePath(ValueError):
    pass


def plain_name(name: str) -> str:
    """A student id, assignment id or file name: one plain name, never '..', a slash or NUL."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or ".." in name:
        raise UnsafePath(f"not a plain name: {name!r}")
    return name


def inside(base: Path, *parts: str) -> Path:
    """base/part/part/...: every part plain, and nothing that exists on the way a link."""
    path = base
    for part in parts:
        path = path / plain_name(part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(f"{path} is a link")
    return path


def read_regular(path: Path, max_bytes: int = 50 * 2**20) -> bytes:
    """The bytes of a regular file, without following a link at its last part."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            raise UnsafePath(f"{path} is not a regular file of at most {max_bytes} bytes")
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(max_bytes + 1)[:max_bytes]
    finally:
        os.close(fd)
