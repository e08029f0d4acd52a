"""`leerplein hub backup` and `restore` on a hub state folder with a real course: a backup taken
while autograde runs restores onto a fresh state with every submission and every grade made
before it; databases come back consistent; a restore does not silently overwrite newer data;
planted links are not followed."""

from __future__ import annotations

import os
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from hub_helpers import leerplein

A = "01-armoede-zien"
STUDENTS = ["bka", "bkb", "bkc"]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="restores owners: root only")]


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    from leerplein.course.course import Course
    from leerplein.course.prepare.init import init_course
    from leerplein.course.intake.exchange import fetch_as, submit_as
    from leerplein.course.intake.collect import collect
    from leerplein.peiling.store import Store

    base = tmp_path_factory.mktemp("backup")
    state = base / "state"
    course = Course(ROOT, state / "course", state / "exchange")
    roster = base / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{s},{s},student\n" for s in STUDENTS))
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"] and api.release_assignment(A)["success"]
    for student in STUDENTS:
        folder = fetch_as(course, A, student, base / "homes" / student)
        nb = nbformat.read(str(folder / f"{A}.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = f"Reflectie van {student}."
        nbformat.write(nb, str(folder / f"{A}.ipynb"))
        submit_as(course, A, student, base / "homes" / student)
    collect(course, A)
    (state / "peiling").mkdir(mode=0o700)
    poll = Store(state / "peiling" / "peiling.sqlite", b"k" * 32)
    poll.create("Bewaar mij", [{"soort": "open", "tekst": "Wat neem je mee?"}])
    poll.close()
    inbound = state / "exchange" / "leerplein" / "inbound"
    (inbound / "planted-link").symlink_to("/etc/shadow")
    (inbound / "planted-folder").symlink_to("/root")
    return {"state": state, "course": course, "base": base}


def grades(gradebook: Path) -> dict:
    """Every grade in the gradebook, by (student, cell); the database must be intact."""
    from nbgrader.api import Gradebook, MissingEntry

    db = sqlite3.connect(str(gradebook))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    out = {}
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        for student in STUDENTS:
            try:
                nb = gb.find_submission_notebook(A, A, student)
            except MissingEntry:
                continue
            for grade in nb.grades:
                out[(student, grade.name)] = (grade.auto_score, grade.manual_score)
    return out


def test_a_backup_during_autograde_restores_everything_made_before_it(state, tmp_path):
    from leerplein.course.grading.autograde import autograde
    from leerplein.course.grading.rubric_grades import save_rubric_grade

    course = state["course"]
    autograde(course, A, [STUDENTS[0]])
    save_rubric_grade(course, A, STUDENTS[0], "reflectie-1", {"signalen": "goed", "schaamte": "voldoende"})
    before = grades(course.directory / "gradebook.db")
    assert before

    running = threading.Thread(target=autograde, args=(course, A, STUDENTS[1:]))
    running.start()
    time.sleep(1.0)  # autograde is writing to the gradebook now
    archive = tmp_path / "backup.tar.gz"
    made = leerplein("hub", "backup", "--state-dir", str(state["state"]), "-o", str(archive))
    running.join()
    assert made.returncode == 0 and "databases, copied consistently" in made.stdout, made.stdout + made.stderr
    assert archive.stat().st_mode & 0o077 == 0

    fresh = tmp_path / "fresh-state"
    done = leerplein("hub", "restore", str(archive), "--state-dir", str(fresh))
    assert done.returncode == 0, done.stdout + done.stderr
    restored = Path(fresh) / "course"
    after = grades(restored / "gradebook.db")
    assert {k: v for k, v in after.items() if k in before} == before, "a grade made before the backup is missing"
    for student in STUDENTS:
        assert (restored / "submitted" / student / A / f"{A}.ipynb").is_file()
        inbound = list((fresh / "exchange" / "leerplein" / "inbound").glob(f"{student}+{A}+*"))
        assert inbound and inbound[0].stat().st_uid == (state["state"] / "exchange" / "leerplein" / "inbound"
                                                        / inbound[0].name).stat().st_uid
    assert any("goed" in p.read_text() for p in (restored / ".leerplein" / "rubric").rglob("*.json")), "rubric levels"
    assert oct((fresh / "exchange").stat().st_mode & 0o7777) == oct(0o755)  # students only enter the root
    assert not (fresh / "exchange" / "leerplein" / "inbound" / "planted-link").exists()
    assert not (fresh / "exchange" / "leerplein" / "inbound" / "planted-folder").exists()
    with tarfile.open(archive) as tar:
        assert not [m.name for m in tar.getmembers() if "planted" in m.name], "a planted link was followed"
    from leerplein.peiling.store import Store

    poll = Store(fresh / "peiling" / "peiling.sqlite", b"k" * 32)
    assert [s.titel for s in poll.sessions()] == ["Bewaar mij"]
    poll.close()

    # the restored state moves on (grading continues); an old backup must not silently undo that
    later = restored / "gradebook.db"
    db = sqlite3.connect(str(later))
    db.execute("UPDATE student SET first_name = 'nieuw' WHERE id = ?", (STUDENTS[0],))
    db.commit()
    db.close()
    os.utime(later, (time.time() + 60, time.time() + 60))
    refused = leerplein("hub", "restore", str(archive), "--state-dir", str(fresh))
    assert refused.returncode == 2 and "newer than this backup" in refused.stderr and "Nothing was restored" in refused.stderr
    db = sqlite3.connect(str(later))
    assert db.execute("SELECT first_name FROM student WHERE id = ?", (STUDENTS[0],)).fetchone()[0] == "nieuw"
    db.close()
    forced = leerplein("hub", "restore", str(archive), "--state-dir", str(fresh), "--force")
    assert forced.returncode == 0, forced.stderr


def test_a_restore_never_writes_through_a_planted_link(state, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert leerplein("hub", "backup", "--state-dir", str(state["state"]), "-o", str(archive)).returncode == 0
    target = tmp_path / "target"
    (target / "exchange" / "leerplein").mkdir(parents=True)
    victim = tmp_path / "root-only"
    victim.mkdir()
    (target / "exchange" / "leerplein" / "inbound").symlink_to(victim)  # planted by a student
    done = leerplein("hub", "restore", str(archive), "--state-dir", str(target), "--force")
    assert done.returncode == 2 and "is a link" in done.stderr and "Nothing was restored" in done.stderr
    assert not list(victim.iterdir()) and not (target / "course").exists()


def test_a_tampered_archive_restores_nothing(tmp_path):
    import io
    import json

    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("leerplein-backup.json", json.dumps({"made": 0, "files": {}}).encode()),
                           ("course/../../etc/evil", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    done = leerplein("hub", "restore", str(archive), "--state-dir", str(tmp_path / "s"))
    assert done.returncode == 2 and "unsafe entry" in done.stderr and not (tmp_path / "etc").exists()
