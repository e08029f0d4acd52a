"""Roster changes on a running hub: add a late student or a new teacher, remove someone, move
someone to another cohort, without stopping anybody's server.

Who is who lives in `people.json` in the state folder (root only, 0600): the grading service
(the teacher workspace) reads it on every request, so a change counts at once. The leerkring gets
its own copy (it runs unprivileged, so root never reads back what it could write)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from leerplein.hub.people import read_people, write_people
from leerplein.hub.settings import (ensure_system_users, initial_passwords, leerkring_state, people_file, people_map,
                                    peiling_state)

GROUPS = {"student": "leerplein-studenten", "teacher": "leerplein-docenten", "admin": "leerplein-docenten"}


@dataclass
class RosterChange:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # another role or cohort
    passwords_file: Path | None = None


def diff(old: dict, new: dict) -> RosterChange:
    return RosterChange(sorted(set(new) - set(old)), sorted(set(old) - set(new)),
                        sorted(n for n in set(old) & set(new) if old[n] != new[n]))


def _hub(state: Path):
    from leerplein.hub.prestart import hub_access

    url, token = hub_access(state)
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    return url, session


def _groups(url: str, http, name: str, role: str | None, before: str | None) -> None:
    if before and before in GROUPS and (role is None or GROUPS[before] != GROUPS.get(role)):
        http.delete(f"{url}/hub/api/groups/{GROUPS[before]}/users", json={"users": [name]}, timeout=30)
    if role in GROUPS:
        http.post(f"{url}/hub/api/groups/{GROUPS[role]}/users", json={"users": [name]}, timeout=30).raise_for_status()


def sync_roster(state: Path, roster: Path, course=None) -> RosterChange:
    """Bring a running hub in line with the roster; returns what changed."""
    return sync_people(state, people_map(roster), course)


def sync_people(state: Path, new: dict, course=None) -> RosterChange:
    """Bring a running hub in line with `new` (username -> {rol, cursus, naam[, studentnummer]})."""
    old = read_people(state)
    change = diff(old, new)
    url, http = _hub(state)
    if change.added:
        ensure_system_users(change.added)
        change.passwords_file = initial_passwords(state, change.added)
    for name in change.added:
        r = http.post(f"{url}/hub/api/users/{name}", timeout=30)
        if r.status_code not in (201, 409):
            r.raise_for_status()
        _groups(url, http, name, new[name]["rol"], None)
    for name in change.changed:
        _groups(url, http, name, new[name]["rol"], old[name]["rol"])
    for name in change.removed:
        http.delete(f"{url}/hub/api/users/{name}/server", timeout=60)
        http.delete(f"{url}/hub/api/users/{name}", timeout=30)
        subprocess.run(["usermod", "--lock", name], capture_output=True)  # no more logins; data stays until forget
    write_people(state, new)
    leerkring_state(state, new)
    people_file(peiling_state(state), new)
    if course is not None:
        _update_gradebook(course, new)
    return change


def _update_gradebook(course, people: dict) -> None:
    from nbgrader.api import Gradebook

    from leerplein.course.cohorts import write_people_copy

    write_people_copy(course, people)
    with Gradebook(course.gradebook_url) as gb:
        for name, person in people.items():
            if person.get("rol") == "student":
                first, _, last = person.get("naam", name).partition(" ")
                gb.update_or_create_student(name, first_name=first, last_name=last,
                                            lms_user_id=person.get("studentnummer"))
