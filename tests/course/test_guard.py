"""The exchange guard and the link-free copies, on the real file system. Entries "planted by a
student" are made by root and handed to uid 65534 with chown (the hub tests do the same with
real users)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import ROOT
from leerplein.course.grading.autograde import drop_links
from leerplein.course.intake.guard import ExchangeTampered, secure_exchange
from leerplein.course.grading.sandbox import prepare_workdir

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root")
OTHER = 65534


def modes(ex: Path) -> dict[str, int]:
    return {p: stat.S_IMODE(os.lstat(ex / p).st_mode) for p in
            ("", "leerplein", "leerplein/inbound", "leerplein/outbound", "leerplein/feedback")}


def test_a_new_exchange_gets_the_safe_layout_and_a_second_run_changes_nothing(tmp_path):
    ex = tmp_path / "exchange"
    secure_exchange(ex)
    assert modes(ex) == {"": 0o755, "leerplein": 0o755, "leerplein/inbound": 0o1733,
                         "leerplein/outbound": 0o755, "leerplein/feedback": 0o711}
    assert secure_exchange(ex) == []
    os.chmod(ex, 0o777)
    os.chmod(ex / "leerplein" / "inbound", 0o2733)  # what nbgrader's own release makes
    notes = secure_exchange(ex)
    assert len(notes) == 2 and modes(ex)[""] == 0o755 and modes(ex)["leerplein/inbound"] == 0o1733


@root_only
def test_planted_entries_are_moved_aside_and_kept(tmp_path):
    ex = tmp_path / "exchange"
    secure_exchange(ex)
    planted = ex / "leerplein" / "outbound" / "01-armoede-zien"
    planted.mkdir()
    (planted / "nep.ipynb").write_text("NEP")
    os.chown(planted / "nep.ipynb", OTHER, OTHER)
    os.symlink("/etc/shadow", ex / "leerplein" / "feedback" / "abc.html")
    notes = secure_exchange(ex)
    assert len(notes) == 2 and not planted.exists() and not (ex / "leerplein" / "feedback" / "abc.html").is_symlink()
    kept = list((ex / "leerplein" / ".quarantine").iterdir())
    assert len(kept) == 2 and stat.S_IMODE(os.stat(ex / "leerplein" / ".quarantine").st_mode) == 0o700


@root_only
def test_a_student_course_folder_is_replaced_and_the_renamed_real_one_restored(tmp_path):
    ex = tmp_path / "exchange"
    secure_exchange(ex)
    (ex / "leerplein" / "inbound" / "anna+x+2026-01-01 00:00:00 UTC+r").mkdir()
    os.rename(ex / "leerplein", ex / "oud")
    fake = ex / "leerplein"
    fake.mkdir()
    os.chown(fake, OTHER, OTHER)
    notes = " ".join(secure_exchange(ex))
    assert "moved it back" in notes and "planted" in notes
    assert os.lstat(ex / "leerplein").st_uid == os.geteuid()
    assert (ex / "leerplein" / "inbound" / "anna+x+2026-01-01 00:00:00 UTC+r").is_dir()


def test_an_exchange_below_a_folder_others_can_write_is_refused(tmp_path):
    shared = tmp_path / "gedeeld"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(ExchangeTampered, match="chmod go-w"):
        secure_exchange(shared / "exchange")


def test_a_linked_exchange_is_refused(tmp_path):
    (tmp_path / "elders").mkdir()
    os.symlink(tmp_path / "elders", tmp_path / "exchange")
    with pytest.raises(ExchangeTampered, match="not a folder owned by you"):
        secure_exchange(tmp_path / "exchange")


def test_links_and_special_files_never_reach_the_grader(tmp_path):
    folder = tmp_path / "submitted"
    (folder / "map").mkdir(parents=True)
    (folder / "opdracht.ipynb").write_text("{}")
    os.symlink("/etc/passwd", folder / "wachtwoorden")
    os.symlink("/etc", folder / "map" / "etc")
    os.mkfifo(folder / "pijp")
    work = prepare_workdir(folder, tmp_path / "work")
    assert sorted(p.name for p in work.rglob("*")) == ["map", "opdracht.ipynb"]
    messages = drop_links(folder)
    assert len(messages) == 3 and all("verwijderd" in m for m in messages)
    assert sorted(p.name for p in folder.rglob("*")) == ["map", "opdracht.ipynb"]
    assert Path("/etc/passwd").exists()


def test_course_init_refuses_a_roster_whose_users_would_share_a_uid_on_kubernetes(tmp_path, monkeypatch):
    from leerplein.course.course import Course, CourseError
    from leerplein.course.prepare.init import init_course
    from leerplein.identity import hashed_uid

    seen, pair = {}, None
    for i in range(200_000):  # a birthday search: two names with one uid exist among ~2^15 names
        name = f"deelnemer{i}"
        uid = hashed_uid(name)
        if uid in seen:
            pair = (seen[uid], name)
            break
        seen[uid] = name
    assert pair, "no colliding pair found"
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role\n" + "".join(f"{n},Student {n},student\n" for n in pair))
    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    monkeypatch.setenv("LEERPLEIN_UID_SCHEME", "hash")
    with pytest.raises(CourseError, match=f"{pair[0]} and {pair[1]}"):
        init_course(course, roster)
    monkeypatch.delenv("LEERPLEIN_UID_SCHEME")
    assert init_course(course, roster)  # on one machine system users have their own uids
