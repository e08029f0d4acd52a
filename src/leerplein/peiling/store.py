"""Peiling's state in one SQLite file, so a poll survives a restart of the service. What is
stored: the session (title, questions, which one is shown, open or closed), and per question
one answer per device. A device is a random id from a cookie, stored only as a keyed hash: no
names, no IP addresses, no user agents. Deleting a session overwrites its rows (secure_delete)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from leerplein.service_base import private_sqlite
from leerplein.peiling.model import CODE_ALPHABET, PeilingError, Question, parse_answer, parse_question, results

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessies(
  code TEXT PRIMARY KEY, titel TEXT NOT NULL, vragen TEXT NOT NULL, huidige INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open', alleen_cursus INTEGER NOT NULL DEFAULT 0, plan TEXT NOT NULL DEFAULT '',
  gemaakt REAL NOT NULL, eigen_tempo INTEGER NOT NULL DEFAULT 0, eigenaar TEXT NOT NULL DEFAULT '',
  cursus TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS antwoorden(
  code TEXT NOT NULL, vraag INTEGER NOT NULL, apparaat TEXT NOT NULL, waarde TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0, tijd REAL NOT NULL,
  PRIMARY KEY(code, vraag, apparaat)) WITHOUT ROWID;
"""
MAX_SESSIONS = 200
MAX_ANSWERS_PER_QUESTION = 5000
PENDING, APPROVED, REJECTED = 0, 1, -1


@dataclass
class Session:
    code: str
    titel: str
    vragen: list[Question]
    huidige: int
    status: str  # "open" or "gesloten"
    alleen_cursus: bool
    plan: str
    gemaakt: float
    eigen_tempo: bool = False  # every question open at once (an evaluation), not one shown by the facilitator
    eigenaar: str = ""  # the facilitator who made it
    cursus: str = ""  # the course it belongs to (see access.py); '' for the standalone Peiling and old polls

    @property
    def question(self) -> Question:
        return self.vragen[self.huidige]

    def public(self) -> dict:
        return {"code": self.code, "titel": self.titel, "huidige": self.huidige, "aantal_vragen": len(self.vragen),
                "status": self.status, "vraag": self.question.as_dict(), "eigen_tempo": self.eigen_tempo}


@lru_cache(maxsize=MAX_SESSIONS)
def stored_questions(text: str) -> tuple[Question, ...]:
    """A session's questions, parsed once: a poll's questions never change, and every answer reads them."""
    return tuple(parse_question(q) for q in json.loads(text))


class Store:
    def __init__(self, path: Path, secret: bytes):
        self.path = Path(path)
        self.secret = secret
        self.db = private_sqlite(self.path)
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(sessies)")}
        if "eigen_tempo" not in columns:  # a database from before the self-paced mode
            self.db.execute("ALTER TABLE sessies ADD COLUMN eigen_tempo INTEGER NOT NULL DEFAULT 0")
        for column in ("eigenaar", "cursus"):  # from before polls had an owner: only an admin sees those
            if column not in columns:
                self.db.execute(f"ALTER TABLE sessies ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self.db.close()

    def device_key(self, device_id: str) -> str:
        return hmac.new(self.secret, device_id.encode(), hashlib.sha256).hexdigest()[:32]

    # sessions ---------------------------------------------------------------------------------
    def create(self, titel: str, vragen: list[dict], alleen_cursus: bool = False, plan: str = "",
               eigen_tempo: bool = False, eigenaar: str = "", cursus: str = "") -> Session:
        titel = " ".join(str(titel).split())[:120] or "Peiling"
        questions = [parse_question(q) for q in vragen]
        if not questions:
            raise PeilingError("Een peiling heeft minstens één vraag.")
        if len(questions) > 30:
            raise PeilingError("Een peiling heeft hoogstens 30 vragen.")
        (count,) = self.db.execute("SELECT count(*) FROM sessies").fetchone()
        if count >= MAX_SESSIONS:
            raise PeilingError("Er zijn te veel peilingen bewaard. Verwijder eerst oude peilingen.")
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
            try:
                self.db.execute("INSERT INTO sessies(code,titel,vragen,huidige,status,alleen_cursus,plan,gemaakt,"
                                "eigen_tempo,eigenaar,cursus) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                                (code, titel, json.dumps([q.as_dict() for q in questions]), 0, "open",
                                 int(alleen_cursus), plan[:80], time.time(), int(eigen_tempo), eigenaar, cursus))
                return self.get(code)
            except sqlite3.IntegrityError:
                continue
        raise PeilingError("Er kon geen nieuwe code worden gemaakt. Probeer het opnieuw.")

    def get(self, code: str) -> Session:
        code = (code or "").strip().upper().replace(" ", "")
        row = self.db.execute("SELECT code,titel,vragen,huidige,status,alleen_cursus,plan,gemaakt,eigen_tempo,"
                              "eigenaar,cursus FROM sessies WHERE code=?", (code,)).fetchone()
        if not row:
            raise PeilingError("Deze code kennen we niet. Kijk nog eens goed op het scherm en probeer het opnieuw.")
        return Session(row[0], row[1], list(stored_questions(row[2])), row[3], row[4], bool(row[5]), row[6], row[7], bool(row[8]), row[9],
                       row[10])

    def sessions(self) -> list[Session]:
        codes = [r[0] for r in self.db.execute("SELECT code FROM sessies ORDER BY gemaakt DESC")]
        return [self.get(c) for c in codes]

    def show(self, code: str, index: int) -> Session:
        session = self.get(code)
        if not 0 <= index < len(session.vragen):
            raise PeilingError("Die vraag bestaat niet.")
        self.db.execute("UPDATE sessies SET huidige=? WHERE code=?", (index, session.code))
        return self.get(code)

    def set_status(self, code: str, status: str) -> Session:
        if status not in ("open", "gesloten"):
            raise PeilingError("Onbekende status.")
        self.db.execute("UPDATE sessies SET status=? WHERE code=?", (status, self.get(code).code))
        return self.get(code)

    def delete(self, code: str) -> None:
        session = self.get(code)
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM antwoorden WHERE code=?", (session.code,))
        self.db.execute("DELETE FROM sessies WHERE code=?", (session.code,))
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # answers ----------------------------------------------------------------------------------
    def answer(self, code: str, index: int, device_id: str, raw: str) -> Session:
        session = self.get(code)
        if session.status != "open":
            raise PeilingError("Deze peiling is gesloten. Je antwoord is niet meer nodig; dank je wel!")
        if not 0 <= index < len(session.vragen):
            raise PeilingError("Die vraag bestaat niet.")
        if not session.eigen_tempo and index != session.huidige:
            raise PeilingError("Deze vraag is voorbij. Op je scherm staat nu de volgende vraag.")
        question = session.vragen[index]
        value = parse_answer(question, raw)
        key = self.device_key(device_id)
        known = self.db.execute("SELECT 1 FROM antwoorden WHERE code=? AND vraag=? AND apparaat=?",
                                (session.code, index, key)).fetchone()
        if not known:
            (count,) = self.db.execute("SELECT count(*) FROM antwoorden WHERE code=? AND vraag=?",
                                       (session.code, index)).fetchone()
            if count >= MAX_ANSWERS_PER_QUESTION:
                raise PeilingError("Deze vraag heeft het hoogste aantal antwoorden bereikt.")
        # one answer per device: a new answer replaces the old one (and waits for approval again)
        self.db.execute("INSERT INTO antwoorden VALUES(?,?,?,?,?,?) ON CONFLICT(code,vraag,apparaat) DO UPDATE "
                        "SET waarde=excluded.waarde, status=excluded.status, tijd=excluded.tijd",
                        (session.code, index, key, value, APPROVED if question.soort != "open" else PENDING,
                         time.time()))
        return session

    def my_answer(self, code: str, index: int, device_id: str) -> str | None:
        row = self.db.execute("SELECT waarde FROM antwoorden WHERE code=? AND vraag=? AND apparaat=?",
                              (code, index, self.device_key(device_id))).fetchone()
        return row[0] if row else None

    def results(self, code: str, index: int | None = None):
        session = self.get(code)
        index = session.huidige if index is None else index
        question = session.vragen[index]
        # every answer's stream event reads this: for choices and scales the database counts
        if question.soort in ("keuze", "schaal"):
            counted = self.db.execute("SELECT waarde, count(*) FROM antwoorden WHERE code=? AND vraag=? AND status>=0 "
                                      "GROUP BY waarde", (session.code, index)).fetchall()
            return results(question, [(v, True) for v, n in counted for _ in range(n)])
        rows = self.db.execute("SELECT waarde, status FROM antwoorden WHERE code=? AND vraag=? AND status>=0 "
                               "ORDER BY tijd", (session.code, index)).fetchall()
        return results(question, [(v, s == APPROVED) for v, s in rows])

    def pending(self, code: str) -> list[tuple[str, str]]:
        """Open answers waiting for the facilitator, as (handle, text). The handle is the stored
        device hash's first characters: enough to approve one answer, useless for anything else."""
        session = self.get(code)
        rows = self.db.execute("SELECT apparaat, waarde FROM antwoorden WHERE code=? AND vraag=? AND status=? "
                               "ORDER BY tijd", (session.code, session.huidige, PENDING)).fetchall()
        return [(a[:16], w) for a, w in rows]

    def moderate(self, code: str, handle: str, approve: bool) -> None:
        session = self.get(code)
        if not handle or len(handle) != 16 or not all(c in "0123456789abcdef" for c in handle):
            raise PeilingError("Dit antwoord bestaat niet (meer).")
        changed = self.db.execute("UPDATE antwoorden SET status=? WHERE code=? AND vraag=? AND substr(apparaat,1,16)=? "
                                  "AND status=?", (APPROVED if approve else REJECTED, session.code, session.huidige,
                                                   handle, PENDING)).rowcount
        if not changed:
            raise PeilingError("Dit antwoord bestaat niet (meer).")
