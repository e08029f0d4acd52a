"""The leerkring's data in one SQLite file, and who may see and do what.

A set has a facilitator (a teacher of the course) and 4 to 8 members of that course. Only its
members and its facilitator can read it. Members post one problem statement at a time and ask
questions on the others' problems; the owner marks the questions that helped; the author can
withdraw a post (its text is erased); the facilitator can hide one. `forget` removes a person's
posts, the questions on her problems, and her memberships."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from leerplein.service_base import People, private_sqlite
from leerplein.leerkring.model import (MAX_PROBLEM_CHARS, MAX_QUESTION_CHARS, SET_SIZE, LeerkringError, NotFound,
                                      clean)

SCHEMA = """
CREATE TABLE IF NOT EXISTS kringen(id INTEGER PRIMARY KEY, naam TEXT NOT NULL, cursus TEXT NOT NULL,
  begeleider TEXT NOT NULL, gemaakt REAL NOT NULL);
CREATE TABLE IF NOT EXISTS leden(kring INTEGER NOT NULL REFERENCES kringen(id) ON DELETE CASCADE,
  gebruiker TEXT NOT NULL, PRIMARY KEY(kring, gebruiker));
CREATE TABLE IF NOT EXISTS posts(id INTEGER PRIMARY KEY, kring INTEGER NOT NULL REFERENCES kringen(id) ON DELETE CASCADE,
  auteur TEXT NOT NULL, soort TEXT NOT NULL, ouder INTEGER, tekst TEXT NOT NULL, gemaakt REAL NOT NULL,
  verborgen INTEGER NOT NULL DEFAULT 0, ingetrokken INTEGER NOT NULL DEFAULT 0, hielp INTEGER NOT NULL DEFAULT 0);
"""
NO_ACCESS = "Deze leerkring is niet van jou. Je ziet alleen de kringen waarin je zit of die je begeleidt."
# one message whether a post does not exist or is in a set the user cannot open: nothing to learn
NO_POST = "Deze bijdrage bestaat niet (meer) in jouw kringen. Laad de pagina opnieuw."
MAX_ID = 2**63 - 1  # SQLite's largest integer; a bigger id is simply not there


@dataclass
class Post:
    id: int
    auteur: str
    soort: str
    ouder: int | None
    tekst: str
    verborgen: bool
    ingetrokken: bool
    hielp: bool
    vragen: list["Post"] = field(default_factory=list)


@dataclass
class Kring:
    id: int
    naam: str
    cursus: str
    begeleider: str
    leden: list[str]


class Store:
    def __init__(self, path: Path, people: dict[str, dict]):
        """`people`: username -> {"rol": "student"|"teacher"|"admin", "cursus": name}."""
        self.people = people
        self.roster = People(people)  # the role and course checks every service shares
        self.db = private_sqlite(path)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def is_teacher(self, user: str) -> bool:
        return self.roster.is_teacher(user)

    def course_of(self, user: str) -> str:
        return self.roster.course(user)

    def courses_of(self, user: str) -> list[str]:
        """The cohorts a facilitator may make sets for: all of a teacher's (she may teach several)."""
        return self.roster.courses(user) if self.is_teacher(user) else []

    def students_by_course(self, user: str) -> dict[str, list[str]]:
        """Her cohorts, each with its students, for the new-set form."""
        return {c: sorted(u for u, p in self.people.items() if p.get("rol") == "student" and self.course_of(u) == c)
                for c in self.courses_of(user)}

    # sets -------------------------------------------------------------------------------------
    def create(self, facilitator: str, naam: str, leden: list[str], cursus: str = "") -> Kring:
        """A new set for one of her cohorts (`cursus`; her first when none is given)."""
        who = self.roster.facilitator(facilitator)
        if who is None:
            raise LeerkringError("Alleen een docent kan een leerkring maken.")
        try:
            course = who.chosen(str(cursus or ""))
        except ValueError as err:
            raise LeerkringError(str(err)) from None
        leden = sorted(set(leden))
        if not SET_SIZE[0] <= len(leden) <= SET_SIZE[1]:
            raise LeerkringError(f"Een leerkring heeft {SET_SIZE[0]} tot {SET_SIZE[1]} deelnemers; je koos er "
                                 f"{len(leden)}.")
        strangers = [u for u in leden if self.course_of(u) != course or self.is_teacher(u)]
        if strangers:
            raise LeerkringError(f"Deze mensen volgen jouw cursus niet (groep {course}): {', '.join(strangers)}. "
                                 f"Kies alleen deelnemers van de groep die je bij de kring kiest.")
        naam = " ".join(str(naam).split())[:80] or "Leerkring"
        cur = self.db.execute("INSERT INTO kringen(naam, cursus, begeleider, gemaakt) VALUES(?,?,?,?)",
                              (naam, course, facilitator, time.time()))
        self.db.executemany("INSERT INTO leden VALUES(?,?)", [(cur.lastrowid, u) for u in leden])
        return self.kring(cur.lastrowid)

    def kring(self, kring_id: int) -> Kring:
        row = self.db.execute("SELECT id, naam, cursus, begeleider FROM kringen WHERE id=?", (kring_id,)).fetchone()
        if not row:
            raise LeerkringError("Deze leerkring bestaat niet (meer).")
        leden = [r[0] for r in self.db.execute("SELECT gebruiker FROM leden WHERE kring=? ORDER BY gebruiker",
                                               (kring_id,))]
        return Kring(row[0], row[1], row[2], row[3], leden)

    def kringen_van(self, user: str) -> list[Kring]:
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM kringen WHERE begeleider=? UNION SELECT kring FROM leden WHERE gebruiker=? ORDER BY 1",
            (user, user))]
        return [self.kring(i) for i in ids]

    def open(self, user: str, kring_id: int) -> Kring:
        """The set, if `user` may see it; otherwise the same message whether it exists or not."""
        try:
            kring = self.kring(kring_id)
        except LeerkringError:
            raise LeerkringError(NO_ACCESS) from None
        if user not in kring.leden and user != kring.begeleider:
            raise LeerkringError(NO_ACCESS)
        return kring

    # posts ------------------------------------------------------------------------------------
    def _post(self, row) -> Post:
        return Post(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), bool(row[7]))

    def posts(self, user: str, kring_id: int) -> list[Post]:
        """Problems with their questions, as `user` may see them."""
        kring = self.open(user, kring_id)
        rows = [self._post(r) for r in self.db.execute(
            "SELECT id, auteur, soort, ouder, tekst, verborgen, ingetrokken, hielp FROM posts WHERE kring=? ORDER BY id",
            (kring.id,))]
        problems = {p.id: p for p in rows if p.soort == "vraagstuk" and not p.ingetrokken}
        for q in rows:
            if q.soort == "vraag" and q.ouder in problems and not q.ingetrokken:
                problems[q.ouder].vragen.append(q)
        facilitator = user == kring.begeleider
        out = []
        for p in problems.values():
            if p.verborgen and not (facilitator or p.auteur == user):
                continue
            p.vragen = [q for q in p.vragen if not q.verborgen or facilitator or q.auteur == user]
            out.append(p)
        return out

    def _get(self, post_id: int) -> Post:
        if not isinstance(post_id, int) or not 0 < post_id <= MAX_ID:
            raise NotFound(NO_POST)
        row = self.db.execute("SELECT id, auteur, soort, ouder, tekst, verborgen, ingetrokken, hielp, kring FROM posts "
                              "WHERE id=?", (post_id,)).fetchone()
        if not row:
            raise NotFound(NO_POST)
        post = self._post(row)
        post.kring = row[8]
        return post

    def _reachable(self, user: str, post_id: int) -> tuple[Post, Kring]:
        """The post and its set, if `user` may open that set; otherwise NO_POST, the same as for a
        post that does not exist."""
        post = self._get(post_id)
        try:
            return post, self.open(user, post.kring)
        except LeerkringError:
            raise NotFound(NO_POST) from None

    def share_problem(self, user: str, kring_id: int, text: str) -> int:
        kring = self.open(user, kring_id)
        if user not in kring.leden:
            raise LeerkringError("Alleen deelnemers van deze kring kunnen hier een vraagstuk delen.")
        text = clean(text, MAX_PROBLEM_CHARS, "vraagstuk")
        active = self.db.execute("SELECT 1 FROM posts WHERE kring=? AND auteur=? AND soort='vraagstuk' AND "
                                 "ingetrokken=0", (kring.id, user)).fetchone()
        if active:
            raise LeerkringError("Je hebt al een vraagstuk in deze kring. Trek dat eerst in als je een nieuw wilt delen.")
        return self.db.execute("INSERT INTO posts(kring, auteur, soort, ouder, tekst, gemaakt) VALUES(?,?,?,?,?,?)",
                               (kring.id, user, "vraagstuk", None, text, time.time())).lastrowid

    def ask(self, user: str, kring_id: int, problem_id: int, text: str) -> int:
        kring = self.open(user, kring_id)
        if user not in kring.leden:
            raise LeerkringError("Alleen deelnemers van deze kring kunnen hier vragen stellen.")
        text = clean(text, MAX_QUESTION_CHARS, "vraag")
        try:
            problem = self._get(problem_id)
        except LeerkringError:
            problem = None
        if problem is None or problem.kring != kring.id or problem.soort != "vraagstuk":
            raise NotFound("Dit vraagstuk bestaat niet (meer) in deze kring. Laad de pagina opnieuw.")
        if problem.ingetrokken or problem.verborgen:
            raise LeerkringError("Dit vraagstuk is ingetrokken of verborgen. Je vraag is niet geplaatst; kopieer hem "
                                 "als je hem wilt bewaren.")
        if problem.auteur == user:
            raise LeerkringError("Dit is je eigen vraagstuk: de anderen stellen hier de vragen.")
        return self.db.execute("INSERT INTO posts(kring, auteur, soort, ouder, tekst, gemaakt) VALUES(?,?,?,?,?,?)",
                               (kring.id, user, "vraag", problem.id, text, time.time())).lastrowid

    def mark_helpful(self, user: str, question_id: int, helped: bool = True) -> None:
        question, _ = self._reachable(user, question_id)
        problem = self._get(question.ouder) if question.ouder else None
        if question.soort != "vraag" or problem is None or problem.auteur != user:
            raise LeerkringError("Alleen wie het vraagstuk deelde, kan aangeven welke vragen hielpen.")
        self.db.execute("UPDATE posts SET hielp=? WHERE id=?", (int(helped), question.id))

    def withdraw(self, user: str, post_id: int) -> None:
        post, _ = self._reachable(user, post_id)
        if post.auteur != user:
            raise LeerkringError("Je kunt alleen je eigen bijdragen intrekken.")
        self.db.execute("UPDATE posts SET ingetrokken=1, tekst='' WHERE id=?", (post.id,))

    def hide(self, user: str, post_id: int, hidden: bool = True) -> None:
        post, kring = self._reachable(user, post_id)
        if user != kring.begeleider:
            raise LeerkringError("Alleen de begeleider van deze kring kan een bijdrage verbergen.")
        self.db.execute("UPDATE posts SET verborgen=? WHERE id=?", (int(hidden), post.id))

    def export_own(self, user: str, problem_id: int) -> str:
        """The owner's problem with the questions asked (without the askers' names)."""
        problem, _ = self._reachable(user, problem_id)
        if problem.auteur != user or problem.soort != "vraagstuk" or problem.ingetrokken:
            raise LeerkringError("Je kunt alleen je eigen vraagstuk bewaren.")
        questions = [r for r in self.db.execute("SELECT tekst, hielp FROM posts WHERE ouder=? AND soort='vraag' AND "
                                                "ingetrokken=0 AND verborgen=0 ORDER BY id", (problem.id,))]
        lines = ["Mijn vraagstuk", problem.tekst, "", "Vragen uit de leerkring"]
        lines += [f"- {t}{' (hielp mij)' if h else ''}" for t, h in questions] or ["- (nog geen vragen)"]
        return "\n".join(lines) + "\n"

    def forget(self, user: str) -> list[str]:
        """Remove a person from the leerkring everywhere (AVG)."""
        own = [r[0] for r in self.db.execute("SELECT id FROM posts WHERE auteur=? AND soort='vraagstuk'", (user,))]
        self.db.execute("BEGIN")
        replies = self.db.execute(f"DELETE FROM posts WHERE ouder IN ({','.join('?' * len(own))})", own).rowcount \
            if own else 0
        mine = self.db.execute("DELETE FROM posts WHERE auteur=?", (user,)).rowcount
        sets = self.db.execute("DELETE FROM leden WHERE gebruiker=?", (user,)).rowcount
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found = []
        if mine:
            found.append(f"leerkring: {mine} post(s) by {user}")
        if replies:
            found.append(f"leerkring: {replies} question(s) on {user}'s problems")
        if sets:
            found.append(f"leerkring: membership of {sets} set(s)")
        return found
