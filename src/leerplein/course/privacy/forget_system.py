"""What `course forget` removes outside the course folder, on a one-machine hub: the hub's
user record (with her tokens and servers), her processes, her files in the shared temporary
folders, her lines in the hub's log, and (only when asked) her system account and home.

Everything here runs as root and touches places a student could write to, so nothing follows
a link: temporary files are found with lstat and removed with shutil.rmtree (fd-based on Linux)."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

TEMP_ROOTS = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
MAX_VISITS = 500_000


def mentions(user: str) -> re.Pattern:
    """Her name as a whole word (so 'ann' does not match 'anna')."""
    return re.compile(rf"(?<![A-Za-z0-9_.@-]){re.escape(user)}(?![A-Za-z0-9_@-])")


def _root_listens(port: int) -> bool:
    """The hub's address is served by root only (a student could squat on the port of a stopped
    hub and would then receive the admin token)."""
    from leerplein.hub.ports import port_listeners

    return port_listeners(port) == {0}


def forget_hub_user(state: Path, user: str) -> tuple[list[str], list[str]]:
    """Delete the hub's record of her (servers, tokens, roles): through the running hub's API,
    else straight in its database. Returns (removed, left)."""
    from urllib.parse import urlsplit

    url_file, token_file = state / "hub-url", state / "admin-token"
    url = url_file.read_text().strip() if url_file.is_file() else ""
    port = urlsplit(url).port if url else None
    if url and port and _root_listens(port) and token_file.is_file():
        request = urllib.request.Request(f"{url.rstrip('/')}/hub/api/users/{user}", method="DELETE",
                                         headers={"Authorization": f"token {token_file.read_text().strip()}"})
        try:
            for _ in range(60):  # a server that is still stopping answers 400: wait for it
                try:
                    urllib.request.urlopen(request, timeout=60)
                    return [f"hub: user record, servers and tokens of {user} (through the hub's API)"], []
                except urllib.error.HTTPError as err:
                    if err.code == 404:
                        return [], []
                    if err.code != 400:
                        raise
                    time.sleep(1)
        except (urllib.error.URLError, OSError) as err:
            return [], [f"hub user record: the hub at {url} did not delete it ({type(err).__name__}); "
                        "run this command again"]
        return [], [f"hub user record: her server at {url} did not stop; run this command again"]
    database = state / "jupyterhub.sqlite"
    if not database.is_file():
        return [], []
    from jupyterhub import orm

    db = orm.new_session_factory(f"sqlite:///{database}")()
    try:
        record = orm.User.find(db, user)
        if record is None:
            return [], []
        db.delete(record)  # tokens, spawners, roles and shares go with it (foreign keys cascade)
        db.commit()
    finally:
        db.close()
    return [f"hub: user record, servers and tokens of {user} (in the stopped hub's database)"], []


def end_processes(uid: int) -> int:
    """SIGKILL every process running as uid (so nothing of hers writes new files meanwhile)."""
    ended = 0
    for _ in range(5):
        found = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        found.append(int(entry.name))
                except OSError:
                    pass
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                ended += 1
            except OSError:
                pass
        time.sleep(0.3)
    return ended


def forget_temp_files(uid: int, roots=TEMP_ROOTS) -> tuple[list[str], list[str]]:
    """Remove every file and folder owned by uid in the shared temporary folders."""
    removed, left, visits = [], [], 0
    for root in roots:
        if not root.is_dir() or root.is_symlink():
            continue
        for folder, dirs, files in os.walk(root):  # os.walk does not follow links
            for name in [*dirs, *files]:
                visits += 1
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if st.st_uid != uid:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                    dirs.remove(name)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        continue
                removed.append(f"temporary files: {path}")
            if visits > MAX_VISITS:
                left.append(f"temporary files: stopped looking in {root} after {MAX_VISITS} entries; "
                            f"check with: find {root} -uid {uid}")
                break
    return removed, left


def scrub_logs(state: Path, user: str) -> list[str]:
    """Take her lines out of the hub's logs in place: the running hub keeps appending to the
    same file (O_APPEND), so it is rewritten, not replaced."""
    pattern = mentions(user)
    removed = []
    for log in sorted(state.glob("*.log*")):
        if log.is_symlink() or not log.is_file():
            continue
        fd = os.open(log, os.O_RDWR | os.O_NOFOLLOW)
        try:
            with os.fdopen(os.dup(fd), "r+b") as f:
                data = f.read()
                kept = [line for line in data.splitlines(keepends=True)
                        if not pattern.search(line.decode("utf-8", errors="replace"))]
                count = len(data.splitlines()) - len(kept)
                if not count:
                    continue
                f.seek(len(data))
                kept.append(f.read())  # what the hub wrote meanwhile
                f.seek(0)
                f.truncate()
                f.write(b"".join(kept))
        finally:
            os.close(fd)
        removed.append(f"hub log: {count} line(s) naming {user} in {log.name}")
    return removed


def remove_account(user: str) -> tuple[list[str], list[str]]:
    """userdel -r: her system account, home folder and mail spool."""
    try:
        home = pwd.getpwnam(user).pw_dir
    except KeyError:
        return [], []
    done = subprocess.run(["userdel", "--remove", user], capture_output=True, text=True)
    if pwd_exists(user):
        return [], [f"system account {user}: userdel failed ({done.stderr.strip()[:200]})"]
    return [f"system account {user} and home folder {home}"], []


def pwd_exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def roster_mentions(state: Path, user: str) -> list[str]:
    """`hub start` keeps the roster's people (state/leerkring/mensen.json): she is let in again
    at the next start with a roster that still names her."""
    try:
        people = json.loads((state / "leerkring" / "mensen.json").read_text())
    except (OSError, ValueError):
        return []
    return [f"roster: {user} is still in the roster this hub was started with; remove her line before the next "
            "`hub start`, or it makes her account again"] if user in people else []


def forget_initial_password(state: Path, user: str) -> list[str]:
    """Her line in initial-passwords.csv (root-only), rewritten without it."""
    import csv
    import io

    from leerplein.course.course import write_atomic

    path = state / "initial-passwords.csv"
    if path.is_symlink() or not path.is_file():
        return []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept = [r for r in rows if not r or r[0] != user]
    if len(kept) == len(rows):
        return []
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    old = os.umask(0o077)
    try:
        write_atomic(path, out.getvalue())
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return [f"hub: her line in {path.name}"]
