"""A size budget on everything students can write in the hub's state folder.

Students write in one place there: the exchange's inbound folder (their submissions). A student's
code can write there at disk speed, and the state folder also holds the hub's database, the
gradebook, the logs and the backups. So `hub start` puts the exchange's course folder
(inbound, outbound, feedback and its quarantine: renames between them stay on one file system)
on a file system of its own: an ext4 image file in the state folder (sparse: it takes only the
space it holds), loop-mounted with nosuid, nodev and noexec. A student who fills it stops at the
budget; the state disk keeps its space. A part of the image is reserved for root, so feedback and
releases still work when students have filled the rest. `hub stop` unmounts it; what was written
into the plain folder while the hub was stopped (a restore, a release) is moved in at the next
start.

Not covered here (see the README): a share per student inside the budget needs disk quotas, which
this kernel may lack; students' homes, /tmp and /dev/shm are outside the state folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

IMAGE = "exchange.img"
MOUNT_RECORD = "exchange-mount"  # where `hub start` mounted the image, for `hub stop`
DEFAULT_MB = 2048
ROOT_RESERVE_PERCENT = 5
OPTIONS = "loop,nosuid,nodev,noexec"


class BudgetUnavailable(RuntimeError):
    pass


def _run(*cmd: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError as err:
        raise BudgetUnavailable(f"{cmd[0]} is not installed") from err


def _unescape(field: str) -> str:
    return field.encode().decode("unicode_escape") if "\\" in field else field


def is_mount_point(path: Path) -> bool:
    target = os.path.realpath(path)
    with open("/proc/self/mountinfo") as info:
        return any(_unescape(line.split()[4]) == target for line in info)


def _make_image(image: Path, size_mb: int) -> None:
    fd = os.open(image, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.ftruncate(fd, size_mb * 2**20)
    finally:
        os.close(fd)
    made = _run("mkfs.ext4", "-q", "-F", "-m", str(ROOT_RESERVE_PERCENT), "-L", "leerplein-exchange", str(image))
    if made.returncode != 0:
        image.unlink(missing_ok=True)
        raise BudgetUnavailable(f"mkfs.ext4 failed: {made.stderr.strip()[:300]}")


def _grow(image: Path, size_mb: int) -> str | None:
    if image.stat().st_size >= size_mb * 2**20:
        return None
    _run("e2fsck", "-f", "-p", str(image))
    os.truncate(image, size_mb * 2**20)
    grown = _run("resize2fs", str(image))
    if grown.returncode != 0:
        raise BudgetUnavailable(f"resize2fs failed: {grown.stderr.strip()[:300]}")
    return f"the exchange's file system grew to {size_mb} MB"


def _mount(image: Path, target: Path) -> None:
    done = _run("mount", "-t", "ext4", "-o", OPTIONS, str(image), str(target))
    if done.returncode != 0:
        raise BudgetUnavailable(f"mount failed: {done.stderr.strip()[:300]}")


def _umount(target: Path) -> None:
    if _run("umount", str(target)).returncode != 0:
        _run("umount", "-l", str(target))  # busy: detach now, free when the last user is gone


def mount_budget(state: Path, course_folder: Path, size_mb: int = DEFAULT_MB) -> list[str]:
    """Mount the exchange's own file system on course_folder (made first if needed), moving in
    what the plain folder holds. Returns notes for the log; raises BudgetUnavailable when the
    machine cannot (no root, no loop devices, no ext4 tools)."""
    state, course_folder = Path(state), Path(course_folder)
    if is_mount_point(course_folder):
        return []
    image = state / IMAGE
    if image.is_symlink() or (image.exists() and not image.is_file()):
        raise BudgetUnavailable(f"{image} is not a plain file; move it away")
    notes = []
    if not image.exists():
        _make_image(image, size_mb)
    else:
        grown = _grow(image, size_mb)
        notes += [grown] if grown else []
    staging = Path(tempfile.mkdtemp(prefix=".exchange-mount-", dir=state))  # 0700: root only
    try:
        _mount(image, staging)
        try:
            lost = staging / "lost+found"
            if lost.is_dir() and not any(lost.iterdir()):
                lost.rmdir()
            moved = _move_in(course_folder, staging)
            if moved:
                notes.append(f"moved {moved} entries of {course_folder} into the exchange's own file system")
            os.chown(staging, 0, 0)
            os.chmod(staging, 0o755)
        finally:
            _umount(staging)
    finally:
        staging.rmdir()
    course_folder.mkdir(mode=0o755, exist_ok=True)
    _mount(image, course_folder)
    (state / MOUNT_RECORD).write_text(str(course_folder))
    os.chmod(state / MOUNT_RECORD, 0o600)
    return notes


def _move_in(folder: Path, staging: Path) -> int:
    """Copy the plain folder's contents (owners, modes, links as links) into the image, then
    remove them from the plain folder. A copy that does not fit stops the start."""
    if not folder.is_dir() or folder.is_symlink():
        return 0
    entries = list(folder.iterdir())
    if not entries:
        return 0
    copied = _run("cp", "-a", "--no-dereference", f"{folder}/.", f"{staging}/")
    if copied.returncode != 0:
        raise BudgetUnavailable(f"could not move {folder} into the exchange's file system (too large for the "
                                f"budget? raise --exchange-mb): {copied.stderr.strip()[:300]}")
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return len(entries)


def unmount_budget(state: Path) -> bool:
    record = Path(state) / MOUNT_RECORD
    try:
        target = Path(record.read_text().strip())
    except OSError:
        return False
    if is_mount_point(target):
        _umount(target)
    record.unlink(missing_ok=True)
    return True
