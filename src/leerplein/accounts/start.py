"""Giving someone a new start password: set it (chpasswd), mark that she must choose her own at
her next login, forget any listed first password, record who did it (never the password)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from leerplein.accounts import store
from leerplein.accounts.letters import Letter, print_letters
from leerplein.accounts.passwords import AccountError, new_start_password, set_password


@dataclass(frozen=True)
class Issued:
    username: str
    password: str  # for the one page or letter that shows it; never written anywhere else
    letter: Path | None


def may_reset(actor: str, target: str, people: dict) -> bool:
    """An admin for anyone on the roster; a teacher for a student of her own cohort."""
    from leerplein.teacher.scope import scope_for

    me = people.get(actor, {})
    if target not in people or target == actor:  # her own: the password page, with her current one
        return False
    if me.get("rol") == "admin":
        return True
    return scope_for(actor, people).allows(target)


def forget_listed(state: Path, username: str) -> None:
    """Drop her line from initial-passwords.csv (`hub start`'s list): that password no longer works."""
    listing = Path(state) / "initial-passwords.csv"
    if not listing.is_file() or listing.is_symlink():
        return
    lines = listing.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{username},")]
    if len(kept) != len(lines):
        tmp = listing.with_name(".initial-passwords.csv.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("".join(kept))
        os.replace(tmp, listing)


def issue(state: Path, people: dict, usernames: list[str], hub_url: str, actor: str, course=None,
          letters: bool = True) -> tuple[list[Issued], list[str]]:
    """New start passwords (and letters) for these people; one that fails never stops the others.
    Returns what was issued and the Dutch problems."""
    issued, problems = [], []
    for username in usernames:
        if username not in people:
            problems.append(f"{username}: staat niet op de deelnemerslijst.")
            continue
        password = new_start_password()
        try:
            set_password(username, password)
        except AccountError as err:
            problems.append(f"{username}: {err}")
            continue
        store.require_change(state, username)
        forget_listed(state, username)
        issued.append(Issued(username, password, None))
    if issued:  # whoever was logged in as her (with the old password) is logged out everywhere
        from leerplein.accounts.sessions import end_sessions_on_hub

        problems += end_sessions_on_hub(state, [i.username for i in issued])
    if letters and issued:
        paths = print_letters(state, [Letter(i.username, people[i.username].get("naam", ""), i.password, hub_url)
                                      for i in issued])
        issued = [Issued(i.username, i.password, p) for i, p in zip(issued, paths)]
    if course is not None and issued:
        from leerplein.course import audit

        audit.record(course, actor, "startwachtwoord", "", [i.username for i in issued],
                     "brief gemaakt" if letters else "getoond op het scherm")
    return issued, problems
