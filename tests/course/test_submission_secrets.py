"""The secret that names a student's released feedback is decided on the course side, at
collect (hole 5 of issue 22): a missing, malformed, linked or shared secret never stops the
others and never sends feedback where another student looks."""

from __future__ import annotations

import os
import secrets

from nbgrader.utils import notebook_hash

from conftest import ROOT
from leerplein.course.course import Course
from leerplein.course.results.feedback import feedback_path, release_feedback, release_messages
from leerplein.course.intake.submission_secrets import release_secret, settle_secrets

A = "01-armoede-zien"


def staged(tmp_path, name: str, secret: str | None):
    folder = tmp_path / "staged" / name
    folder.mkdir(parents=True)
    if secret is not None:
        (folder / "submission_secret.txt").write_text(secret)
    return folder


def test_only_a_well_formed_unique_secret_of_her_own_is_used(tmp_path):
    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    good, shared, earlier = secrets.token_hex(64), secrets.token_hex(64), secrets.token_hex(64)
    settle_secrets(course, A, {"eerder": staged(tmp_path, "eerder", earlier)})
    outside = tmp_path / "buiten.txt"
    outside.write_text(secrets.token_hex(64))
    link = staged(tmp_path, "link", None)
    os.symlink(outside, link / "submission_secret.txt")
    folders = {"anna": staged(tmp_path, "anna", good), "weg": staged(tmp_path, "weg", None),
               "leeg": staged(tmp_path, "leeg", ""), "pad": staged(tmp_path, "pad", "../../etc/passwd"),
               "lang": staged(tmp_path, "lang", good + "0"), "een": staged(tmp_path, "een", shared),
               "twee": staged(tmp_path, "twee", shared), "kopie": staged(tmp_path, "kopie", earlier), "link": link}
    messages = settle_secrets(course, A, folders)
    assert release_secret(course, A, "anna") == good and "anna" not in messages
    for student in ("weg", "leeg", "pad", "lang", "een", "twee", "kopie", "link"):
        assert release_secret(course, A, student) is None, student
        assert "submission_secret.txt" in messages[student][0]
        made = (folders[student] / "submission_secret.txt")
        assert not made.is_symlink() and len(made.read_text()) == 128  # the course's own copy goes to submitted/
    assert outside.read_text() != (link / "submission_secret.txt").read_text()
    assert release_secret(course, A, "eerder") == earlier
    assert release_secret(course, A, "../eerder") is None


def test_release_skips_and_reports_students_without_a_secret_and_releases_the_rest(tmp_path):
    course = Course(ROOT, tmp_path / "course", tmp_path / "exchange")
    (course.exchange / "leerplein" / "feedback").mkdir(parents=True)
    good = secrets.token_hex(64)
    settle_secrets(course, A, {"anna": staged(tmp_path, "anna", good), "eva": staged(tmp_path, "eva", None)})
    for student in ("anna", "eva", "kees"):  # kees: put in submitted/ by hand, never collected
        path = feedback_path(course, A, student)
        path.parent.mkdir(parents=True)
        path.write_text(f"feedback voor {student}")
    result = release_feedback(course, A)
    assert result.released == ["anna"] and sorted(result.skipped) == ["eva", "kees"]
    released = list((course.exchange / "leerplein" / "feedback").iterdir())
    assert [p.name for p in released] == [f"{notebook_hash(secret=good, notebook_id=A)}.html"]
    assert released[0].read_text() == "feedback voor anna"
    assert "niet vrijgegeven" in release_messages(course, A)["eva"][0] and release_messages(course, A)["anna"] == []
