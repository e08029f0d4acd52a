"""Who an LTI launch is: the roster username, role and cohort, and the page she goes to.

The LMS signs who she is (`sub`, per platform) and in which course (context) with which role.
The link between (issuer, sub) and a roster username is kept in state/lti/gebruikers.json (root
only), so a changed e-mail address or name in the LMS never makes another user. A new student
gets a username from her student number (Brightspace: OrgDefinedId) or, without one, from a hash
of her LMS identity, a system user and a roster row (hub.roster_sync)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from leerplein.lti.config import LtiConfig, LtiError, private_dir

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES_CLAIM = CLAIM + "roles"
CONTEXT_CLAIM = CLAIM + "context"
DEPLOYMENT_CLAIM = CLAIM + "deployment_id"
TARGET_CLAIM = CLAIM + "target_link_uri"
LIS_CLAIM = CLAIM + "lis"
CUSTOM_CLAIM = CLAIM + "custom"
BRIGHTSPACE_CLAIM = "http://www.brightspace.com"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHER_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor"}
LEARNER_ROLES = {"Learner"}
USERS_FILE = "gebruikers.json"
SERVICES_FILE = "diensten.json"


@dataclass(frozen=True)
class Launch:
    issuer: str
    sub: str
    role: str  # student or teacher (roster roles)
    cohort: str
    context_id: str
    name: str
    email: str
    student_number: str
    target: str  # a path on the hub


def role_of(roles: list[str]) -> str | None:
    """LIS roles (full URIs or short names, as LMSes send them) to the roster's role."""
    short = {r.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in roles if isinstance(r, str)}
    if short & TEACHER_ROLES or any(r.endswith("institution/person#Administrator") for r in roles):
        return "teacher"
    if short & LEARNER_ROLES:
        return "student"
    return None


def student_number(claims: dict) -> str:
    """Brightspace sends OrgDefinedId in its own claim; others can use LIS's person_sourcedid or a
    custom parameter `studentnummer` (e.g. Canvas: `studentnummer=$Canvas.user.sisSourceId`)."""
    for value in ((claims.get(BRIGHTSPACE_CLAIM) or {}).get("org_defined_id"),
                  (claims.get(CUSTOM_CLAIM) or {}).get("studentnummer"),
                  (claims.get(LIS_CLAIM) or {}).get("person_sourcedid")):
        if value not in (None, "") and not str(value).startswith("$"):  # an unsubstituted variable
            return str(value).strip()
    return ""


def hub_target(claims: dict) -> str:
    """The page she asked for, from the signed target_link_uri: only its path on the hub (never
    another site). The LMS link is e.g. https://hub/hub/user-redirect/leerplein/opdracht/<slug>."""
    parsed = urlparse(str(claims.get(TARGET_CLAIM) or ""))
    path = "/" + parsed.path.lstrip("/")
    if not path.startswith("/hub/user-redirect/leerplein") or ".." in path or "\\" in path:
        return "/hub/"
    return path + (f"?{parsed.query}" if parsed.query else "")


def read_launch(config: LtiConfig, claims: dict) -> Launch:
    """The launch's facts, or LtiError with a Dutch message for the student."""
    deployment = str(claims.get(DEPLOYMENT_CLAIM) or "")
    if deployment not in config.deployment_ids:
        raise LtiError("Deze koppeling vanuit de leeromgeving is niet bekend bij Leerplein (deployment). "
                       "Vraag de beheerder van Leerplein om de koppeling na te kijken.")
    context = claims.get(CONTEXT_CLAIM) or {}
    context_id = str(context.get("id") or "")
    cohort = config.cohort(context_id)
    if not cohort:
        raise LtiError(f"De cursus '{context.get('title') or context_id}' in de leeromgeving is niet gekoppeld aan "
                       f"een groep in Leerplein. Vraag de beheerder van Leerplein om deze cursus toe te voegen "
                       f"(lti.yml, 'cursussen').")
    role = role_of(claims.get(ROLES_CLAIM) or [])
    if role is None:
        raise LtiError("Je rol in deze cursus geeft geen toegang tot Leerplein (alleen studenten en docenten).")
    # teachers land in their workspace (as after a password login), students on the page asked for
    target = "/hub/services/leerplein-grading/werkplek/" if role == "teacher" else hub_target(claims)
    return Launch(issuer=str(claims["iss"]), sub=str(claims["sub"]), role=role, cohort=cohort, context_id=context_id,
                  name=plain(claims.get("name") or " ".join(filter(None, [claims.get("given_name"),
                                                                          claims.get("family_name")]))),
                  email=plain(claims.get("email")), student_number=student_number(claims), target=target)


def plain(text) -> str:
    """A name or address from the LMS as it goes into roster.csv: one line, and never read as a
    formula by a spreadsheet (some LMSes let a student choose her display name)."""
    return re.sub(r"\s+", " ", str(text or "")).strip().lstrip("=+-@\t\r|%").strip()


def derived_username(config: LtiConfig, launch) -> str:
    """A system user name for someone new: prefix + student number (or e-mail name), else a hash."""
    source = {"studentnummer": launch.student_number, "email": launch.email.split("@")[0], "sub": ""}[config.username_claim]
    clean = re.sub(r"[^a-z0-9]", "", source.lower())[:24]
    if not clean:
        clean = hashlib.sha256(f"{launch.issuer}|{launch.sub}".encode()).hexdigest()[:10]
    return f"{config.username_prefix}{clean}"


@contextmanager
def locked(state: Path):
    """One writer at a time for the files below (logins in the hub, `leerplein lti` commands)."""
    with open(private_dir(state) / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(state: Path, name: str) -> dict:
    try:
        return json.loads((private_dir(state) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(state: Path, name: str, data: dict) -> None:
    from leerplein.course.course import write_atomic

    path = private_dir(state) / name
    old = os.umask(0o077)
    try:
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    finally:
        os.umask(old)


def identity_key(issuer: str, sub: str) -> str:
    return f"{issuer}|{sub}"


def linked_users(state: Path) -> dict:
    """identity key -> {username, sub, issuer}."""
    return _read(state, USERS_FILE)


def lms_id(state: Path, username: str, issuer: str) -> str | None:
    """Her LMS user id (`sub`) for AGS scores; None when she never came from the LMS."""
    for entry in linked_users(state).values():
        if entry.get("username") == username and entry.get("issuer") == issuer:
            return entry.get("sub")
    return None


def choose_username(state: Path, config: LtiConfig, launch, roster_people: dict) -> str:
    """Her roster username: the linked one, a roster row with her e-mail address, or a new one."""
    linked = linked_users(state).get(identity_key(launch.issuer, launch.sub))
    if linked:
        return linked["username"]
    taken = {e["username"] for e in linked_users(state).values()}
    if launch.email:
        same_mail = [n for n, p in roster_people.items() if (p.get("email") or "").lower() == launch.email.lower()]
        if len(same_mail) == 1 and same_mail[0] not in taken:
            return same_mail[0]
    name = derived_username(config, launch)
    if name in taken:
        raise LtiError("Er is al iemand anders met deze gebruikersnaam in Leerplein. Vraag de beheerder om je "
                       "account te koppelen.")
    if name not in roster_people:
        try:
            pwd.getpwnam(name)
        except KeyError:
            pass
        else:  # an account of this machine that is not a course member: never hand it out
            raise LtiError("Voor jou kan geen account worden gemaakt (de naam is al in gebruik op de server). "
                           "Vraag de beheerder van Leerplein om hulp.")
    return name


def link(state: Path, launch, username: str, added: bool = False) -> None:
    """Remember who she is in the LMS; `added`: her roster row was made from the LMS (so NRPS may
    remove it again when she leaves the LMS course; a row the admin wrote stays)."""
    users = linked_users(state)
    key = identity_key(launch.issuer, launch.sub)
    added = added or bool(users.get(key, {}).get("added"))
    users[key] = {"username": username, "sub": launch.sub, "issuer": launch.issuer, "added": added}
    _write(state, USERS_FILE, users)


def remember_services(state: Path, claims: dict) -> None:
    """The NRPS and AGS addresses of the launch's LMS course (signed claims), for `leerplein lti`."""
    context_id = str((claims.get(CONTEXT_CLAIM) or {}).get("id") or "")
    found = {}
    if isinstance(claims.get(NRPS_CLAIM), dict) and claims[NRPS_CLAIM].get("context_memberships_url"):
        found["memberships"] = claims[NRPS_CLAIM]["context_memberships_url"]
    if isinstance(claims.get(AGS_CLAIM), dict) and claims[AGS_CLAIM].get("lineitems"):
        found["lineitems"] = claims[AGS_CLAIM]["lineitems"]
    if not context_id or not found:
        return
    services = _read(state, SERVICES_FILE)
    if services.get(context_id) != {**services.get(context_id, {}), **found}:
        services[context_id] = {**services.get(context_id, {}), **found}
        _write(state, SERVICES_FILE, services)


def context_services(state: Path, config: LtiConfig) -> dict:
    """context id -> {memberships, lineitems}: lti.yml's `diensten:` first, then what launches told."""
    known = _read(state, SERVICES_FILE)
    return {c: {**known.get(c, {}), **config.services.get(c, {})} for c in config.contexts}
