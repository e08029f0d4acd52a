"""Accounts without a terminal, as plain functions: password rules, start passwords on a real
system account (chpasswd, PAM), who may reset whom, letters printed by Chromium, the roster's
student numbers. Users made here carry the prefix "ak"."""

from __future__ import annotations

import csv
import io
import stat
import subprocess

import pytest

from leerplein.accounts import store
from leerplein.accounts.letters import Letter, letter_html
from leerplein.accounts.passwords import (AccountError, new_start_password, password_ok, quality_problem,
                                          set_password)
from leerplein.accounts.ratelimit import Tries
from leerplein.accounts.start import issue, may_reset
from leerplein.roster import RosterError, read_roster

PEOPLE = {"akdocent": {"rol": "teacher", "cursus": "a", "naam": "Docent A"},
          "akander": {"rol": "teacher", "cursus": "b", "naam": "Docent B"},
          "akbaas": {"rol": "admin", "cursus": "a", "naam": "Beheer"},
          "akanna": {"rol": "student", "cursus": "a", "naam": "Anna de Vries"},
          "akbob": {"rol": "student", "cursus": "b", "naam": "Bob"}}


@pytest.mark.parametrize("password, word", [
    ("kort12", "te kort"), ("akanna-is-mijn-naam", "gebruikersnaam"), ("wachtwoord123", "te makkelijk"),
    ("aaaaaaaaaaaa", "te makkelijk"), ("Lange zin\nakbob:x", "teken dat niet kan"), ("x" * 129, "te lang"),
])
def test_weak_or_dangerous_passwords_get_a_dutch_reason(password, word):
    assert word in quality_problem("akanna", password)


def test_a_good_password_and_the_same_as_now():
    assert quality_problem("akanna", "fiets in de regen") is None
    assert "hetzelfde" in quality_problem("akanna", "fiets in de regen", current="fiets in de regen")


def test_start_passwords_are_long_readable_and_new_each_time():
    made = {new_start_password() for _ in range(50)}
    assert len(made) == 50
    for p in made:
        assert len(p) == 14 and p.count("-") == 2 and not set(p) & set("l1O0oi")


def test_wrong_tries_are_limited_per_user_and_wear_off():
    now = [0.0]
    tries = Tries(max_tries=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert tries.wait("akanna") == 0
        tries.wrong("akanna")
    assert tries.wait("akanna") > 0 and tries.wait("akbob") == 0
    now[0] = 61
    assert tries.wait("akanna") == 0


def test_who_may_reset_whom():
    assert may_reset("akdocent", "akanna", PEOPLE)
    assert not may_reset("akdocent", "akbob", PEOPLE)  # another cohort
    assert not may_reset("akdocent", "akander", PEOPLE)  # a colleague
    assert not may_reset("akanna", "akbob", PEOPLE) and not may_reset("akanna", "akanna", PEOPLE)
    assert not may_reset("akdocent", "root", PEOPLE)
    assert may_reset("akbaas", "akbob", PEOPLE) and may_reset("akbaas", "akander", PEOPLE)


def test_the_letter_escapes_what_comes_from_the_roster():
    page = letter_html(Letter("akanna", "<script>x</script>", "abcd-efgh-jkmn", "https://hub.example.nl"))
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert "https://hub.example.nl/" in page and "abcd-efgh-jkmn" in page and "Kies een nieuw wachtwoord" in page


@pytest.fixture
def account():
    name = "akunit"
    subprocess.run(["userdel", "-r", name], capture_output=True)
    subprocess.run(["useradd", "--create-home", name], check=True)
    yield name
    subprocess.run(["userdel", "-r", name], capture_output=True)


@pytest.fixture
def system_accounts():
    """Throwaway accounts with a system uid and with a uid above the people's range (like nobody)."""
    names = ["aksys", "akhoog"]
    for name in names:
        subprocess.run(["userdel", name], capture_output=True)
    subprocess.run(["useradd", "--system", "aksys"], check=True)
    subprocess.run(["useradd", "--no-create-home", "--uid", "65001", "akhoog"], check=True)
    yield names
    for name in names:
        subprocess.run(["userdel", name], capture_output=True)


def test_set_password_on_a_real_account_and_never_on_a_system_one(account, system_accounts):
    set_password(account, "fiets in de regen")
    assert password_ok(account, "fiets in de regen") and not password_ok(account, "iets anders dan dat")
    with pytest.raises(AccountError):  # a second line for chpasswd would set another account's password
        set_password(account, f"een\n{account}:gekaapt-wachtwoord")
    assert not password_ok(account, "gekaapt-wachtwoord")
    for name in system_accounts:
        with pytest.raises(AccountError, match="systeemaccount"):
            set_password(name, "fiets in de regen")
        assert not password_ok(name, "fiets in de regen")
    assert password_ok(account, "fiets in de regen")


def test_issue_sets_a_start_password_prints_a_root_only_letter_and_audits_without_it(account, tmp_path):
    from conftest import ROOT
    from leerplein.course.audit import audit_file
    from leerplein.course.course import Course

    state = tmp_path / "state"
    state.mkdir()
    (state / "initial-passwords.csv").write_text(f"username,password\n{account},oud-wachtwoord\nakx,y\n")
    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    people = {account: {"rol": "student", "cursus": "a", "naam": "Anna Unit"}}
    issued, problems = issue(state, people, [account, "akniemand"], "http://localhost:8100", "akbaas", course)
    assert len(issued) == 1 and "akniemand" in problems[0]
    start = issued[0].password
    assert password_ok(account, start) and store.must_change(state, account)
    assert (state / "initial-passwords.csv").read_text() == "username,password\nakx,y\n"
    letter = issued[0].letter
    assert letter.read_bytes().startswith(b"%PDF")
    for path in (letter, letter.parent, letter.parent.parent):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert [p.name for p in letter.parent.parent.iterdir() if p.name.startswith(".brief")] == []  # HTML gone
    text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True).stdout
    if text:
        assert start in text and account in text
    trail = audit_file(course).read_text()
    assert account in trail and start not in trail and "startwachtwoord" in trail
    assert start not in (state / "accounts" / "startwachtwoord.json").read_text()
    store.changed(state, account)
    assert not store.must_change(state, account)


def test_student_numbers_are_checked_and_unique(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("username,name,role,studentnummer\nakanna,Anna,student,1234567\nakbob,Bob,student,\n")
    people = read_roster(path)
    assert people[0].student_number == "1234567" and people[1].student_number is None
    path.write_text("username,role,studentnummer\nakanna,student,12 34\n")
    with pytest.raises(RosterError, match="roster.csv:2: studentnummer '12 34'"):
        read_roster(path)
    path.write_text("username,role,studentnummer\nakanna,student,123\nakbob,student,123\n")
    with pytest.raises(RosterError, match="roster.csv:3: studentnummer '123' is also on line 2"):
        read_roster(path)


def test_student_numbers_reach_the_lms_export_and_never_the_pseudonymous_one(tmp_path):
    from conftest import ROOT
    from leerplein.course.course import Course
    from leerplein.course.prepare.init import init_course
    from leerplein.course.results.export import export_text

    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role,studentnummer\nakanna,Anna de Wit,student,1234567\n"
                      "akbob,Bob Bos,student,\n")
    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    init_course(course, roster)
    bright = list(csv.DictReader(io.StringIO(export_text(course, "brightspace"))))
    assert [r["OrgDefinedId"] for r in bright] == ["1234567", "akbob"]
    canvas = list(csv.DictReader(io.StringIO(export_text(course, "canvas"))))
    assert [(r["SIS User ID"], r["SIS Login ID"]) for r in canvas] == [("1234567", "akanna"), ("", "akbob")]
    moodle = list(csv.DictReader(io.StringIO(export_text(course, "moodle"))))
    assert [(r["Username"], r["Studentnummer"]) for r in moodle] == [("akanna", "1234567"), ("akbob", "")]
    for fmt in ("brightspace", "canvas", "moodle"):
        text = export_text(course, fmt, pseudonymise=True)
        assert "1234567" not in text and "akanna" not in text and "Anna" not in text, fmt
        assert "Studentnummer" not in text and "SIS User ID" not in text


def test_a_shown_once_letter_is_for_its_teacher_and_only_once(monkeypatch):
    from leerplein.accounts import workspace

    letter = Letter("akanna", "Anna", "abcd-efgh-jkmn", "http://localhost:8100")
    key = workspace.hold("akdocent", letter)
    assert workspace.take("akander", key) is None  # a colleague with the link
    assert workspace.take("akdocent", "raden") is None
    assert workspace.take("akdocent", key) == letter
    assert workspace.take("akdocent", key) is None  # never again
    old = workspace.hold("akdocent", letter)
    monkeypatch.setattr(workspace, "LETTER_SECONDS", -1)
    assert workspace.take("akdocent", old) is None  # not kept in memory for long
