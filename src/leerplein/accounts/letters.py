"""First-login letters: one printable Dutch page per person with the hub's address, her
username and a new one-time start password. Printed to PDF by Chromium (the dossier's printer)
into the root-only folder state/accounts/brieven/; the HTML it is printed from lives only in a
root-only temporary folder and is removed straight after."""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from leerplein.accounts import store
from leerplein.accounts.passwords import MIN_LENGTH

LETTERS = "brieven"

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 12pt; line-height: 1.5; color: #1b1b1b;
       max-width: 40em; margin: 0 auto; padding: 1em; }
h1 { font-size: 20pt; color: #1a5fb4; margin-bottom: .2em; }
.gegevens { border: 2px solid #1a5fb4; border-radius: 6px; padding: .6em 1em; margin: 1em 0; }
.gegevens dt { font-weight: bold; margin-top: .4em; }
.gegevens dd { margin: 0 0 0 0; font-size: 14pt; font-family: 'DejaVu Sans Mono', monospace;
               overflow-wrap: anywhere; }
ol li { margin-bottom: .4em; }
.klein { font-size: 10pt; color: #444; }
"""


@dataclass(frozen=True)
class Letter:
    username: str
    name: str
    password: str
    hub_url: str


def letter_body(letter: Letter) -> str:
    e = html.escape
    url = letter.hub_url.rstrip("/") + "/"
    return (
        f"<h1>Welkom bij Leerplein</h1>"
        f"<p>Beste {e(letter.name or letter.username)},</p>"
        f"<p>Je kunt nu beginnen met de cursus in Leerplein. Hieronder staat hoe je de eerste keer inlogt.</p>"
        f"<dl class='gegevens'><dt>Adres</dt><dd>{e(url)}</dd>"
        f"<dt>Gebruikersnaam</dt><dd>{e(letter.username)}</dd>"
        f"<dt>Startwachtwoord</dt><dd class='wachtwoord'>{e(letter.password)}</dd></dl>"
        f"<ol><li>Ga in je browser naar het adres hierboven.</li>"
        f"<li>Log in met je gebruikersnaam en het startwachtwoord. Typ de streepjes mee.</li>"
        f"<li>Je ziet dan <strong>Kies een nieuw wachtwoord</strong>. Typ het startwachtwoord nog een keer en "
        f"bedenk een eigen wachtwoord van minstens "
        f"{MIN_LENGTH} tekens, zonder je gebruikersnaam. Een zin van een paar woorden is makkelijk te onthouden.</li>"
        f"<li>Daarna werkt het startwachtwoord niet meer. Je logt voortaan in met je eigen wachtwoord.</li></ol>"
        f"<p>Je kunt je wachtwoord later zelf wijzigen via <strong>Wachtwoord wijzigen</strong> bovenaan in "
        f"Leerplein. Ben je het kwijt? Vraag je docent om een nieuw startwachtwoord.</p>"
        f"<p class='klein'>Bewaar deze brief niet bij je computer en gooi hem weg als je een eigen wachtwoord "
        f"hebt gekozen. Niemand van de opleiding vraagt je ooit om je wachtwoord.</p>")


def letter_html(letter: Letter) -> str:
    return (f"<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Inlogbrief {html.escape(letter.username)}</title><style>{STYLE}</style></head>"
            f"<body><main>{letter_body(letter)}</main></body></html>")


def letters_folder(state: Path) -> Path:
    path = store.folder(state) / LETTERS
    if path.is_symlink():
        path.unlink()
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def print_letters(state: Path, letters: list[Letter]) -> list[Path]:
    """One PDF per letter in state/accounts/brieven/<username>.pdf (0600), replaced atomically."""
    from leerplein.dossier.output import print_pdf

    target_dir = letters_folder(state)
    work = Path(tempfile.mkdtemp(prefix=".brief-", dir=store.folder(state)))  # 0700, root's
    old = os.umask(0o077)
    out = []
    try:
        for letter in letters:
            page = work / f"{letter.username}.html"
            page.write_text(letter_html(letter), encoding="utf-8")
            out.append(print_pdf(page, target_dir / f"{letter.username}.pdf", "Leerplein · inlogbrief"))
            page.unlink()
    finally:
        os.umask(old)
        shutil.rmtree(work, ignore_errors=True)
    for path in out:
        os.chmod(path, 0o600)
    return out
