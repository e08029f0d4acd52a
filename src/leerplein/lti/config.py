"""`lti.yml`, written by the admin beside the roster: the LMS (platform) registration and which
LMS course (context id) is which cohort of the roster's `course` column."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONFIG_NAME = "lti.yml"
LTI_DIR = "lti"  # under the hub's state folder, root only
USERNAME_CLAIMS = ("studentnummer", "email", "sub")


class LtiError(ValueError):
    """A problem with the LTI set-up or a launch; the message is Dutch and says what to do."""


@dataclass(frozen=True)
class LtiConfig:
    issuer: str
    client_ids: tuple[str, ...]
    deployment_ids: tuple[str, ...]
    oidc_auth_url: str
    jwks_url: str
    token_url: str
    token_audience: str
    contexts: dict[str, str]  # LMS context id -> cohort (the roster's course column)
    username_claim: str = "studentnummer"
    username_prefix: str = "s"
    services: dict = field(default_factory=dict)  # context id -> {memberships, lineitems}: from launches or lti.yml

    def cohort(self, context_id: str) -> str | None:
        return self.contexts.get(str(context_id))


def _text(data: dict, key: str, where: Path) -> str:
    value = data.get(key)
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise LtiError(f"{where}: '{key}' ontbreekt onder 'platform:'.")
    return str(value).strip()


def _url(data: dict, key: str, where: Path) -> str:
    value = _text(data, key, where)
    if not re.match(r"https?://[^/\s]+", value):
        raise LtiError(f"{where}: '{key}' is geen adres (https://...): {value!r}.")
    return value


def _many(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(str(v).strip() for v in items if v is not None and str(v).strip())


def parse_config(text: str, where: Path = Path(CONFIG_NAME)) -> LtiConfig:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise LtiError(f"{where}: geen geldige YAML ({err}).") from err
    platform = data.get("platform")
    if not isinstance(platform, dict):
        raise LtiError(f"{where}: het blok 'platform:' ontbreekt (issuer, client_id, deployment_id, ...).")
    contexts = data.get("cursussen") or {}
    if not isinstance(contexts, dict) or not contexts:
        raise LtiError(f"{where}: 'cursussen:' ontbreekt: zet per LMS-cursus (context id) de groep uit het rooster.")
    for context, cohort in contexts.items():
        if not isinstance(cohort, str) or not cohort.strip():
            raise LtiError(f"{where}: cursus {context!r} heeft geen groepsnaam.")
    users = data.get("gebruikersnaam") or {}
    claim = str(users.get("claim", "studentnummer"))
    if claim not in USERNAME_CLAIMS:
        raise LtiError(f"{where}: gebruikersnaam.claim is {claim!r}; kies uit {', '.join(USERNAME_CLAIMS)}.")
    prefix = str(users.get("voorvoegsel", "s"))
    if not re.fullmatch(r"[a-z][a-z0-9]{0,7}", prefix):
        raise LtiError(f"{where}: gebruikersnaam.voorvoegsel moet met een kleine letter beginnen (a-z, 0-9), "
                       f"niet {prefix!r}.")
    client_ids, deployments = _many(platform.get("client_id")), _many(platform.get("deployment_id"))
    if not client_ids or not deployments:
        raise LtiError(f"{where}: 'client_id' en 'deployment_id' zijn nodig onder 'platform:'.")
    token_url = _url(platform, "token_url", where)
    services = {str(k): dict(v) for k, v in (data.get("diensten") or {}).items() if isinstance(v, dict)}
    return LtiConfig(issuer=_url(platform, "issuer", where), client_ids=client_ids, deployment_ids=deployments,
                     oidc_auth_url=_url(platform, "oidc_auth_url", where), jwks_url=_url(platform, "jwks_url", where),
                     token_url=token_url, token_audience=str(platform.get("token_audience") or token_url),
                     contexts={str(k): v.strip() for k, v in contexts.items()}, username_claim=claim,
                     username_prefix=prefix, services=services)


def lti_dir(state: Path) -> Path:
    return state / LTI_DIR


def private_dir(state: Path) -> Path:
    """state/lti: root only (the key, the outbox, who is who in the LMS)."""
    folder = lti_dir(state)
    if folder.is_symlink():
        raise LtiError(f"{folder} is een symbolische link; haal die weg en start opnieuw.")
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def install(state: Path, roster: Path, public_url: str = "") -> LtiConfig | None:
    """At `hub start`: when lti.yml is beside the roster, check it and keep a copy (with the
    roster's place) in the state folder for the hub, the grading service and `leerplein lti`."""
    source = roster.parent / CONFIG_NAME
    if not source.is_file():
        (lti_dir(state) / CONFIG_NAME).unlink(missing_ok=True)  # LTI switched off again: PAM logins
        return None
    config = parse_config(source.read_text(encoding="utf-8"), source)
    folder = private_dir(state)
    shutil.copyfile(source, folder / CONFIG_NAME)
    os.chmod(folder / CONFIG_NAME, 0o600)
    from leerplein.course.course import write_atomic

    write_atomic(folder / "hub.json", json.dumps({"roster": str(roster.resolve()), "public_url": public_url}))
    os.chmod(folder / "hub.json", 0o600)
    return config


def load(state: Path) -> LtiConfig | None:
    path = lti_dir(state) / CONFIG_NAME
    return parse_config(path.read_text(encoding="utf-8"), path) if path.is_file() else None


def roster_path(state: Path) -> Path:
    try:
        return Path(json.loads((lti_dir(state) / "hub.json").read_text())["roster"])
    except (OSError, ValueError, KeyError) as err:
        raise LtiError("De hub is nog niet met een lti.yml naast het rooster gestart.") from err


def tool_urls(state: Path) -> dict[str, str]:
    """What the admin fills in on the LMS side."""
    try:
        base = json.loads((lti_dir(state) / "hub.json").read_text())["public_url"].rstrip("/")
    except (OSError, ValueError, KeyError) as err:
        raise LtiError("De hub is nog niet met een lti.yml naast het rooster gestart.") from err
    return {"OIDC-inlogadres (login initiation URL)": f"{base}/hub/lti13/oauth_login",
            "Doorstuuradres (redirect URI)": f"{base}/hub/lti13/oauth_callback",
            "Sleutels van Leerplein (JWKS URL)": f"{base}/hub/lti13/jwks",
            "Startadres (target link URI)": f"{base}/hub/user-redirect/leerplein/",
            "Startadres van een opdracht": f"{base}/hub/user-redirect/leerplein/opdracht/<opdracht>",
            "Startadres van een moduleblad": f"{base}/hub/user-redirect/leerplein/pagina/<module>/<pagina>"}
