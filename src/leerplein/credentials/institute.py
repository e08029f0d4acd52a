"""The institute's settings (instituut.yml): who awards the badge, where it publishes the status
list and the verification page, who to contact and who trains. Read by `course badges`, the
verification page and `leerplein dossier`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

SETTINGS = "instituut.yml"
# Hosts that can never be a real institute (RFC 2606 / 6761 names) and the shipped example name.
PLACEHOLDER_HOST = re.compile(r"(^|\.)(example\.(nl|com|org|net)|example|test|invalid|localhost)$", re.I)
PLACEHOLDER_NAME = re.compile(r"voorbeeld", re.I)


class InstituteError(ValueError):
    pass


@dataclass(frozen=True)
class Institute:
    naam: str
    url: str
    badges_url: str
    land: str
    contact: dict
    trainers: list[dict] = field(default_factory=list)
    niveau: str = ""
    kwaliteitszorg: str = ""
    path: Path | None = None

    @property
    def status_url(self) -> str:
        return f"{self.badges_url}/status.json"

    @property
    def verify_url(self) -> str:
        return f"{self.badges_url}/controleren.html"

    def placeholders(self) -> list[str]:
        """What is still the shipped example, in Dutch (empty when the settings are real)."""
        found = []
        if not self.naam.strip() or PLACEHOLDER_NAME.search(self.naam):
            found.append(f"naam is nog het voorbeeld ({self.naam!r})")
        for key in ("url", "badges_url"):
            host = urlsplit(getattr(self, key)).hostname or ""
            if not host or PLACEHOLDER_HOST.search(host):
                found.append(f"{key} is nog een voorbeeldadres ({getattr(self, key)!r})")
        email = str(self.contact.get("email") or "")
        if not email or PLACEHOLDER_HOST.search(email.rsplit("@", 1)[-1]):
            found.append(f"contact.email is nog een voorbeeldadres ({email!r})")
        return found


def settings_path(root: Path) -> Path:
    """instituut.yml in the checkout, or the file LEERPLEIN_INSTITUUT names (kept outside git, so
    that pulling course updates never touches the institute's own settings)."""
    chosen = os.environ.get("LEERPLEIN_INSTITUUT")
    return Path(chosen) if chosen else root / SETTINGS


def load_institute(root: Path) -> Institute:
    path = settings_path(root)
    if not path.is_file():
        raise InstituteError(f"{path} ontbreekt. Zet daarin de naam, het webadres en het contact van je instituut.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise InstituteError(f"{path} is geen geldige YAML: {err}") from err
    if not isinstance(data, dict):
        raise InstituteError(f"{path} moet sleutels met waarden bevatten (naam, url, badges_url, contact).")
    url = str(data.get("url") or "").rstrip("/")
    badges = str(data.get("badges_url") or (url + "/badges" if url else "")).rstrip("/")
    for key, value in (("url", url), ("badges_url", badges)):
        if not value.startswith("https://"):
            raise InstituteError(f"{path}: {key} moet een https-adres zijn, niet {value!r}.")
    land = str(data.get("land") or "NL").upper()
    if not re.fullmatch(r"[A-Z]{2}", land):
        raise InstituteError(f"{path}: land is een landcode van twee letters, zoals NL, niet {land!r}.")
    contact = data.get("contact") or {}
    trainers = data.get("trainers") or []
    if not isinstance(contact, dict) or not isinstance(trainers, list):
        raise InstituteError(f"{path}: contact is een blok met naam en email; trainers is een lijst.")
    return Institute(str(data.get("naam") or "").strip(), url, badges, land, contact,
                     [t for t in trainers if isinstance(t, dict)], str(data.get("niveau") or "").strip(),
                     " ".join(str(data.get("kwaliteitszorg") or "").split()), path)


def real_institute(root: Path) -> Institute:
    """The institute's settings, refused while they are still the shipped example."""
    institute = load_institute(root)
    missing = institute.placeholders()
    if missing:
        raise InstituteError(
            f"Er worden geen badges uitgegeven met een voorbeelduitgever: {'; '.join(missing)}. "
            f"Vul de gegevens van je instituut in in {institute.path} (naam, url, badges_url en contact.email). "
            "Een werkgever ziet deze naam en dit adres in de badge.")
    return institute
