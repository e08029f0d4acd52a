"""Names and Role Provisioning Services 2.0: the members of each mapped LMS course, and what
that changes in the roster (adds, removals, another cohort), shown in Dutch before it is done.

Only people who came from the LMS are ever removed (a row the admin wrote herself stays);
a teacher in the roster stays a teacher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import requests

from leerplein.lti.config import LtiConfig, LtiError, roster_path
from leerplein.lti.launch import (Launch, choose_username, context_services, identity_key, link, linked_users,
                                  locked, plain, role_of)
from leerplein.lti.people import apply_roster, read_rows, roster_people, write_rows
from leerplein.lti.token import TIMEOUT, ServiceUnavailable, access_token

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


@dataclass
class Plan:
    add: list[dict] = field(default_factory=list)  # roster rows
    remove: list[str] = field(default_factory=list)
    move: dict[str, str] = field(default_factory=dict)  # username -> new cohort
    links: list[tuple[Launch, str, bool]] = field(default_factory=list)  # (who, username, row made from the LMS)
    problems: list[str] = field(default_factory=list)

    def dutch(self) -> str:
        lines = [f"Erbij: {r['username']} ({r['name'] or 'zonder naam'}, {'docent' if r['role'] == 'teacher' else 'student'}, "
                 f"groep {r['course']})" for r in self.add]
        lines += [f"Eraf: {name} (staat niet meer in de cursus in de leeromgeving)" for name in self.remove]
        lines += [f"Andere groep: {name} -> {cohort}" for name, cohort in self.move.items()]
        lines += [f"Overgeslagen: {p}" for p in self.problems]
        return "\n".join(lines) or "Geen wijzigingen: het rooster is gelijk aan de leeromgeving."

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.move)


def members(url: str, token: str, http=requests) -> list[dict]:
    """All active members, following the `Link: rel="next"` pages."""
    out, seen = [], set()
    while url and url not in seen and len(seen) < 1000:
        seen.add(url)
        try:
            r = http.get(url, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS})
            r.raise_for_status()
            out += r.json().get("members", [])
        except (requests.RequestException, ValueError) as err:
            raise ServiceUnavailable(f"NRPS {url}: {type(err).__name__}: {err}"[:300]) from err
        url = r.links.get("next", {}).get("url")
    return [m for m in out if m.get("status", "Active") == "Active"]


def as_launch(config: LtiConfig, member: dict, cohort: str, context_id: str) -> Launch | None:
    role = role_of(member.get("roles") or [])
    if role is None or not member.get("user_id"):
        return None
    number = str(member.get("lis_person_sourcedid") or member.get("org_defined_id") or "")
    return Launch(issuer=config.issuer, sub=str(member["user_id"]), role=role, cohort=cohort, context_id=context_id,
                  name=plain(member.get("name") or " ".join(filter(None, [member.get("given_name"),
                                                                         member.get("family_name")]))),
                  email=plain(member.get("email")), student_number=number, target="/hub/")


def plan(state: Path, config: LtiConfig, memberships: dict[str, list[dict]]) -> Plan:
    """What the members of each context change in the roster. `memberships`: context -> members
    (a context whose members could not be read is left out, so nobody in it is removed)."""
    result = Plan()
    _, rows = read_rows(roster_path(state))
    people = roster_people(rows)
    linked = linked_users(state)
    from_lms = {e["username"] for e in linked.values() if e.get("issuer") == config.issuer and e.get("added")}
    present: dict[str, str] = {}
    for context_id, found in memberships.items():
        cohort = config.contexts[context_id]
        for member in found:
            launch = as_launch(config, member, cohort, context_id)
            if launch is None:
                continue
            try:
                username = choose_username(state, config, launch, {**people, **{r["username"]: r for r in result.add}})
            except LtiError as err:
                result.problems.append(f"{launch.name or launch.sub}: {err}")
                continue
            present[username] = cohort
            new_row = username not in rows
            if identity_key(launch.issuer, launch.sub) not in linked:
                result.links.append((launch, username, new_row))
            if new_row and all(r["username"] != username for r in result.add):
                result.add.append({"username": username, "name": launch.name or username, "role": launch.role,
                                   "email": launch.email, "course": cohort})
            elif username in rows and rows[username].get("course") != cohort and launch.role == "student" \
                    and (rows[username].get("role") or "student") == "student":
                result.move[username] = cohort
    synced = {config.contexts[c] for c in memberships}
    for username, row in rows.items():
        if username in from_lms and row.get("course") in synced and username not in present:
            result.remove.append(username)
    return result


def fetch_all(state: Path, config: LtiConfig, http=requests) -> tuple[dict[str, list[dict]], list[str]]:
    services = context_services(state, config)
    out, problems = {}, []
    token = None
    for context_id in config.contexts:
        url = services.get(context_id, {}).get("memberships")
        if not url:
            problems.append(f"cursus {context_id}: nog geen ledenlijst-adres (NRPS) bekend; dat komt met de eerste "
                            f"aanmelding vanuit die cursus, of zet het in lti.yml onder 'diensten:'")
            continue
        try:
            token = token or access_token(state, config, [SCOPE], http)
            out[context_id] = members(url, token, http)
        except ServiceUnavailable as err:
            problems.append(f"cursus {context_id}: de leeromgeving gaf de ledenlijst niet ({err})")
    return out, problems


def apply(state: Path, config: LtiConfig, change: Plan):
    roster = roster_path(state)
    with locked(state):
        columns, rows = read_rows(roster)
        for row in change.add:
            rows.setdefault(row["username"], row)
        for username in change.remove:
            rows.pop(username, None)
        for username, cohort in change.move.items():
            if username in rows:
                rows[username]["course"] = cohort
        write_rows(roster, columns, rows)
        for launch, username, added in change.links:
            link(state, launch, username, added)
    return apply_roster(state, roster)
