"""The durable outbox of scores for the LMS (SQLite in state/lti, root only).

Each score has a key student x context x assignment x version: a new version only when what is
sent changes (a regrade), so releasing feedback again sends nothing twice. A score stays
'wacht' until the LMS accepted it; a failed send is tried again later (`leerplein lti
send`, and the grading service every few minutes). One sender at a time (a file lock)."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from leerplein.lti.config import private_dir

OUTBOX = "outbox.sqlite"


@dataclass(frozen=True)
class Item:
    key: str
    context: str
    username: str
    user_id: str  # her LMS id (sub)
    resource: str  # assignment slug, or PASS_RESOURCE
    label: str
    given: float
    maximum: float
    status: str = "wacht"
    attempts: int = 0
    last_error: str = ""


def connect(state: Path) -> sqlite3.Connection:
    path = private_dir(state) / OUTBOX
    if path.is_symlink():
        path.unlink()
    old = os.umask(0o077)
    try:
        db = sqlite3.connect(path, timeout=30)
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    db.execute("""CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, context TEXT, username TEXT,
                  user_id TEXT, resource TEXT, label TEXT, given REAL, maximum REAL, version INTEGER,
                  status TEXT, attempts INTEGER DEFAULT 0, last_error TEXT DEFAULT '', created REAL,
                  sent REAL)""")
    return db


def enqueue(state: Path, context: str, username: str, user_id: str, resource: str, label: str, given: float,
            maximum: float) -> str | None:
    """Queue a score unless the latest one for this student and assignment is the same; returns
    the new key, or None when nothing changed."""
    with connect(state) as db:
        last = db.execute("SELECT given, maximum, version, user_id FROM scores WHERE context=? AND username=? "
                          "AND resource=? ORDER BY version DESC LIMIT 1", (context, username, resource)).fetchone()
        if last and (last[0], last[1], last[3]) == (given, maximum, user_id):
            return None
        version = (last[2] if last else 0) + 1
        key = f"{username}|{context}|{resource}|v{version}"
        db.execute("INSERT OR IGNORE INTO scores (key, context, username, user_id, resource, label, given, maximum, "
                   "version, status, created) VALUES (?,?,?,?,?,?,?,?,?, 'wacht', ?)",
                   (key, context, username, user_id, resource, label, given, maximum, version, time.time()))
    return key


def items(state: Path, status: str | None = None) -> list[Item]:
    with connect(state) as db:
        rows = db.execute("SELECT key, context, username, user_id, resource, label, given, maximum, status, attempts, "
                          "last_error FROM scores" + (" WHERE status=?" if status else "") + " ORDER BY created, key",
                          (status,) if status else ()).fetchall()
    return [Item(*row) for row in rows]


def superseded(db: sqlite3.Connection, item: Item) -> bool:
    """A newer version waits behind this one: only the newest is worth sending."""
    return db.execute("SELECT 1 FROM scores WHERE context=? AND username=? AND resource=? AND version > "
                      "(SELECT version FROM scores WHERE key=?)",
                      (item.context, item.username, item.resource, item.key)).fetchone() is not None


def mark(state: Path, key: str, sent: bool, error: str = "") -> None:
    with connect(state) as db:
        if sent:
            db.execute("UPDATE scores SET status='verstuurd', sent=?, attempts=attempts+1, last_error='' WHERE key=? "
                       "AND status='wacht'", (time.time(), key))
        else:
            db.execute("UPDATE scores SET attempts=attempts+1, last_error=? WHERE key=?", (error[:300], key))


def skip(state: Path, key: str) -> None:
    with connect(state) as db:
        db.execute("UPDATE scores SET status='vervangen' WHERE key=? AND status='wacht'", (key,))


@contextmanager
def sender(state: Path):
    with open(private_dir(state) / ".outbox-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def summary(state: Path) -> dict:
    with connect(state) as db:
        return dict(db.execute("SELECT status, count(*) FROM scores GROUP BY status").fetchall())


def dump(state: Path) -> str:
    return "\n".join(json.dumps(i.__dict__, ensure_ascii=False) for i in items(state))
