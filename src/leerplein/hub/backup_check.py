"""`leerplein hub restore --check BACKUP`: unpack a backup into a temporary folder and check it as
a restore would need it: every file whole (its checksum), every database intact, every student's
own folder readable (notes, logbook, drafts). Touches no state folder and no home. The report is
in Dutch: an institute's admin may hand it on."""

from __future__ import annotations

import hashlib
import json
import pwd
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from leerplein.hub.backup import MANIFEST, BackupError, _checked_members
from leerplein.hub.home_backup import HOMES, LEERPLEIN_FOLDER


@dataclass
class CheckReport:
    made: str = ""
    files: int = 0
    databases: int = 0
    people: dict[str, dict] = field(default_factory=dict)  # user -> {aantekeningen, logboek, concepten}
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"Back-up van {self.made}: {self.files} bestanden, {self.databases} databases."]
        for user, found in sorted(self.people.items()):
            out.append(f"  {user}: {found['aantekeningen']} pagina's met aantekeningen, logboek "
                       f"{'aanwezig' if found['logboek'] else 'niet aanwezig'}, {found['concepten']} opdracht(en) "
                       f"in de eigen map.")
        out += [f"Let op: {w}" for w in self.warnings]
        out += [f"Fout: {p}" for p in self.problems]
        out.append("De back-up is in orde: terugzetten kan." if self.ok else
                   "De back-up is NIET in orde. Gebruik een andere back-up.")
        return out


def check_backup(archive: Path) -> CheckReport:
    report = CheckReport()
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as err:
        raise BackupError(f"{archive} is geen leesbare back-up: {err}") from err
    with tar, tempfile.TemporaryDirectory(prefix="leerplein-check-") as tmp:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, ValueError) as err:
            raise BackupError(f"{archive} is geen Leerplein-back-up (geen {MANIFEST}).") from err
        report.made = datetime.fromtimestamp(manifest["made"]).strftime("%d-%m-%Y %H:%M")
        try:
            members = _checked_members(tar, archive)
            tar.extractall(tmp, members=members, filter="data")
        except (BackupError, tarfile.TarError, OSError) as err:
            report.problems.append(f"de back-up kan niet worden uitgepakt: {err}")
            return report
        state = Path(tmp)
        for rel, meta in manifest["files"].items():
            path = state / rel
            if not path.is_file():
                report.problems.append(f"{rel} ontbreekt in de back-up")
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() != meta["sha256"]:
                report.problems.append(f"{rel} is beschadigd (de controlesom klopt niet)")
                continue
            report.files += 1
            if meta.get("sqlite"):
                report.databases += 1
                problem = _database_problem(path)
                if problem:
                    report.problems.append(f"database {rel} is niet in orde: {problem}")
        for user, folders in manifest.get("homes", {}).items():
            report.people[user] = _own_folder(state / HOMES / user, folders, report.problems)
        owners = {m.uname for m in members if m.uname} | set(manifest.get("homes", {}))
        missing = sorted(o for o in owners if not _known(o))
        if missing:
            report.warnings.append(f"deze gebruikers bestaan niet op deze machine: {', '.join(missing)}. Maak ze eerst "
                                   f"aan (leerplein hub start --roster ..., dan hub stop) voordat je terugzet.")
        if manifest.get("too_deep"):
            report.warnings.append(f"{len(manifest['too_deep'])} map(pen) waren te diep om te bewaren, "
                                   f"bijvoorbeeld {manifest['too_deep'][0]}.")
        if manifest.get("not_hers") or manifest.get("too_big"):
            skipped = (manifest.get("not_hers") or []) + (manifest.get("too_big") or [])
            report.warnings.append(f"{len(skipped)} bestand(en) in eigen mappen zijn niet bewaard (niet van die "
                                   f"deelnemer, of te groot), bijvoorbeeld {skipped[0]}.")
    return report


def _database_problem(path: Path) -> str:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as err:
        return str(err)
    return "" if result == "ok" else result


def _own_folder(home: Path, folders: list[str], problems: list[str]) -> dict:
    found = {"aantekeningen": 0, "logboek": False, "concepten": 0}
    own = home / LEERPLEIN_FOLDER
    if (own / "aantekeningen").is_dir():
        found["aantekeningen"] = sum(1 for _ in (own / "aantekeningen").rglob("*.md"))
    logbook = own / "actieleerlogboek.json"
    if logbook.is_file():
        try:
            json.loads(logbook.read_text(encoding="utf-8"))
            found["logboek"] = True
        except ValueError:
            problems.append(f"het logboek van {home.name} is geen geldig bestand")
    for folder in folders:
        if folder == LEERPLEIN_FOLDER:
            continue
        notebooks = list((home / folder).glob("*.ipynb"))
        for notebook in notebooks:
            try:
                json.loads(notebook.read_text(encoding="utf-8"))
            except ValueError:
                problems.append(f"opdracht {folder} van {home.name} is geen geldig notebook")
        found["concepten"] += bool(notebooks)
    return found


def _known(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
