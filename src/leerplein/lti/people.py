"""LMS people into the roster: a launch by someone new, or NRPS adds and removals, become roster
rows (the roster stays the one truth), then `hub.roster_sync` brings the running hub in line:
system user, hub user, groups, gradebook. Nobody else's server is touched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from leerplein.lti.config import LtiConfig, LtiError, roster_path
from leerplein.lti.launch import Launch, choose_username, link, locked, remember_services, read_launch

BASE_COLUMNS = ["username", "name", "role", "email", "course"]


def read_rows(roster: Path) -> tuple[list[str], dict[str, dict]]:
    with roster.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = {r["username"].strip(): r for r in reader if (r.get("username") or "").strip()}
        columns = list(reader.fieldnames or [])
    return columns + [c for c in BASE_COLUMNS if c not in columns], rows


def write_rows(roster: Path, columns: list[str], rows: dict[str, dict]) -> None:
    from leerplein.course.course import write_atomic

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows.values():
        writer.writerow({c: row.get(c) or "" for c in columns})
    mode = roster.stat().st_mode & 0o777
    write_atomic(roster, out.getvalue())
    roster.chmod(mode)


def roster_people(rows: dict[str, dict]) -> dict[str, dict]:
    return {n: {"email": r.get("email") or "", "course": r.get("course") or "", "role": r.get("role") or ""}
            for n, r in rows.items()}


def hub_course(state: Path):
    from leerplein.course.course import Course
    from leerplein.paths import find_root

    course = Course(find_root(), state / "course", state / "exchange")
    return course if course.config_file.is_file() else None


def apply_roster(state: Path, roster: Path):
    from leerplein.hub.roster_sync import sync_roster

    return sync_roster(state, roster, hub_course(state))


def admit(state: Path, config: LtiConfig, claims: dict) -> tuple[str, Launch]:
    """The roster username for a verified launch; someone new gets a roster row and an account."""
    launch = read_launch(config, claims)
    roster = roster_path(state)
    with locked(state):
        columns, rows = read_rows(roster)
        username = choose_username(state, config, launch, roster_people(rows))
        added = username not in rows
        if added:  # someone already on the roster keeps her row (role, cohort) as it is
            rows[username] = {"username": username, "name": launch.name or username, "role": launch.role,
                              "email": launch.email, "course": launch.cohort}
            write_rows(roster, columns, rows)
            try:
                apply_roster(state, roster)
            except Exception as err:  # noqa: BLE001 - the roster row stays; the admin can run `hub roster`
                raise LtiError("Je account kon nog niet worden aangemaakt. Probeer het over een minuut opnieuw; "
                               "lukt het dan nog niet, vraag de beheerder van Leerplein.") from err
        link(state, launch, username, added)
        remember_services(state, claims)
    return username, launch
