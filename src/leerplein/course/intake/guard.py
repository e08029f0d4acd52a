"""The nbgrader exchange as a place students cannot tamper with.

Layout (made by whoever runs the course commands: root on the hub, the "trusted" user):

    exchange/                 0755 trusted  students enter it only (our exchange classes drop
                                            nbgrader's check that it is writable), so they
                                            cannot rename the course folder or plant trees here
    exchange/leerplein/       0755 trusted  made before any student can log in
        outbound/             0755 trusted  released assignments (read-only for students)
        inbound/              1733 trusted  students create their submission folders; they can
                                            neither list the folder nor touch others' entries
        feedback/             0711 trusted  released feedback under unguessable names
        .quarantine/          0700 trusted  what the guard moved aside

`secure_exchange` is run by `leerplein hub start` and by every `leerplein course` command. It
repairs modes, moves aside anything in the course folder that a student planted (keeping it
for the teacher), and refuses to go on when the exchange itself or a folder above it could be
swapped by a student.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

from leerplein.course.course import COURSE_ID

ROOT_MODE = 0o755
COURSE_MODE = 0o755
SUBDIR_MODES = {"outbound": 0o755, "inbound": 0o1733, "feedback": 0o711}
QUARANTINE = ".quarantine"


class ExchangeTampered(RuntimeError):
    """The exchange cannot be made safe automatically; the message says what an admin must do."""


def _check_parents(path: Path, trusted: int) -> None:
    """A folder above the exchange that others may write to (without the sticky bit) lets them
    swap the whole exchange for one of their own."""
    for parent in path.parents:
        st = os.lstat(parent)
        if stat.S_ISLNK(st.st_mode):
            continue  # a link made by the admin (e.g. /var -> /srv); its target is checked below
        writable_by_others = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if writable_by_others and not st.st_mode & stat.S_ISVTX and st.st_uid in (0, trusted):
            raise ExchangeTampered(
                f"The folder {parent} above the exchange can be changed by other users, so a student could "
                f"replace the exchange. Make it writable for its owner only: chmod go-w {parent}")
        if st.st_uid not in (0, trusted):
            raise ExchangeTampered(
                f"The folder {parent} above the exchange belongs to uid {st.st_uid}, not to you or root. "
                f"Put the exchange in a folder that you own (for example the hub's state folder).")


def _quarantine(quarantine: Path, entry: Path, why: str, notes: list[str]) -> None:
    """Move a planted entry into a folder only the trusted user can enter (same file system,
    so it is a rename: nothing of it is read or followed)."""
    _ensure_dir(quarantine, 0o700, notes, quarantine=None)
    target = quarantine / f"{entry.name}.{time.strftime('%Y%m%dT%H%M%S')}.{os.getpid()}"
    os.rename(entry, target)
    notes.append(f"{entry} {why}; moved it to {target} (only you can read it there).")


def _ensure_dir(path: Path, mode: int, notes: list[str], quarantine: Path | None) -> None:
    """path must be a real folder owned by the trusted user with exactly `mode`; anything else
    there is moved to `quarantine` (or refused when there is none)."""
    trusted = os.geteuid()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        os.mkdir(path, 0o700)
        os.chmod(path, mode)
        return
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or st.st_uid != trusted:
        what = "is a link" if stat.S_ISLNK(st.st_mode) else (
            "is not a folder" if not stat.S_ISDIR(st.st_mode) else f"belongs to uid {st.st_uid}, not to you")
        if quarantine is None:
            raise ExchangeTampered(f"{path} {what}. Move it away and run the command again.")
        _quarantine(quarantine, path, what + " (a student may have planted it)", notes)
        os.mkdir(path, 0o700)
        os.chmod(path, mode)
        return
    if stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)
        notes.append(f"{path} had mode {stat.S_IMODE(st.st_mode):o}; set it to {mode:o}.")


def secure_exchange(exchange: Path, course_id: str = COURSE_ID) -> list[str]:
    """Create or repair the exchange layout above; return what was repaired (for the log).
    Raises ExchangeTampered when only an admin can make it safe."""
    trusted = os.geteuid()
    notes: list[str] = []
    exchange = Path(os.path.abspath(exchange))
    _check_parents(exchange, trusted)
    try:
        st = os.lstat(exchange)
    except FileNotFoundError:
        exchange.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(exchange, 0o700)
        st = os.lstat(exchange)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or st.st_uid != trusted:
        raise ExchangeTampered(
            f"The exchange {exchange} is not a folder owned by you (uid {trusted}); it may have been planted. "
            f"Move it away and run the command again: a new one is made.")
    if stat.S_IMODE(st.st_mode) != ROOT_MODE:
        os.chmod(exchange, ROOT_MODE)
        notes.append(f"{exchange} had mode {stat.S_IMODE(st.st_mode):o}; set it to {ROOT_MODE:o} (students "
                     f"may no longer create anything there).")
    course = exchange / course_id
    try:
        cst = os.lstat(course)
        if stat.S_ISLNK(cst.st_mode) or not stat.S_ISDIR(cst.st_mode) or cst.st_uid != trusted:
            # a fresh folder with a random name (names in an older, writable root may be taken)
            holding = Path(tempfile.mkdtemp(prefix=f"{QUARANTINE}-", dir=exchange))
            os.rename(course, holding / course_id)
            notes.append(f"{course} was not made by you (a student may have planted it); moved it to "
                         f"{holding / course_id}. Submissions in it are kept there; ask those students to "
                         "submit again.")
    except FileNotFoundError:
        pass
    if not os.path.lexists(course):
        _restore_renamed(exchange, course, trusted, notes)
    _ensure_dir(course, COURSE_MODE, notes, quarantine=None)
    quarantine = course / QUARANTINE
    for name, mode in SUBDIR_MODES.items():
        _ensure_dir(course / name, mode, notes, quarantine)
    _ensure_dir(quarantine, 0o700, notes, quarantine=None)
    _sweep_root(exchange, course_id, trusted, notes)
    for name in ("outbound", "feedback"):
        _sweep_foreign(quarantine, course / name, notes)
    return notes


def _sweep_root(exchange: Path, course_id: str, trusted: int, notes: list[str]) -> None:
    """Entries planted while the root was still writable for all are moved into a root-only
    folder in the root itself (the course folder may be another file system: see exchange_fs)."""
    for entry in list(os.scandir(exchange)):
        st = entry.stat(follow_symlinks=False)
        if entry.name == course_id or entry.name.startswith(QUARANTINE) or \
                not (stat.S_ISLNK(st.st_mode) or st.st_uid != trusted):
            continue
        holding = Path(tempfile.mkdtemp(prefix=f"{QUARANTINE}-", dir=exchange))
        os.rename(entry.path, holding / entry.name)
        notes.append(f"{entry.path} was not made by you (a student may have planted it); moved it to "
                     f"{holding / entry.name} (only you can read it there).")


def _restore_renamed(exchange: Path, course: Path, trusted: int, notes: list[str]) -> None:
    """Under an old, non-sticky exchange a student could rename the real course folder. It is
    still ours (a rename keeps the owner), so it can be found and put back with its submissions."""
    found = []
    for entry in os.scandir(exchange):
        if entry.name.startswith(QUARANTINE) or entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            continue
        st = entry.stat(follow_symlinks=False)
        if st.st_uid == trusted and all(os.path.isdir(os.path.join(entry.path, d)) and
                                        not os.path.islink(os.path.join(entry.path, d))
                                        for d in ("inbound", "outbound")):
            found.append(entry.path)
    if len(found) == 1:
        os.rename(found[0], course)
        notes.append(f"The course folder had been renamed to {found[0]}; moved it back to {course}.")


def _sweep_foreign(quarantine: Path, folder: Path, notes: list[str]) -> None:
    """Released assignments and feedback are written by the trusted user only: anything else
    there (a planted notebook, a link) is moved aside."""
    trusted = os.geteuid()
    for entry in list(os.scandir(folder)):
        st = entry.stat(follow_symlinks=False)
        foreign = stat.S_ISLNK(st.st_mode) or st.st_uid != trusted
        if not foreign and stat.S_ISDIR(st.st_mode):
            foreign = any(_foreign_inside(Path(entry.path), trusted))
        if foreign:
            _quarantine(quarantine, Path(entry.path), "was not released by you", notes)


def _foreign_inside(folder: Path, trusted: int):
    for sub_root, dirs, files in os.walk(folder):  # os.walk does not follow links
        for name in dirs + files:
            st = os.lstat(Path(sub_root) / name)
            yield stat.S_ISLNK(st.st_mode) or st.st_uid != trusted
