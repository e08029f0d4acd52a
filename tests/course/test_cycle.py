"""The whole teacher cycle on a simulated cohort, with real nbgrader and the real sandbox:
release → varied and hostile submissions through the exchange → collect → autograde → rubric
grades → feedback → export → report → status → forget."""

from __future__ import annotations

import csv
import os
import re
import signal
import stat
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.prepare.assign import load_exercise
from leerplein.course.grading.autograde import autograde, load_statuses
from leerplein.course.course import Course
from leerplein.course.prepare.init import init_course
from leerplein.course.intake.exchange import fetch_as, submit_as
from leerplein.course.results.export import export_csv
from leerplein.course.results.feedback import feedback_path, generate_feedback, release_feedback
from leerplein.course.privacy.forget import forget_student
from leerplein.course.intake.collect import collect
from leerplein.course.intake.messages import intake_messages
from leerplein.course.results.report import write_report
from leerplein.course.grading.rubric_grades import save_rubric_grade
from leerplein.course.grading.sandbox import SandboxLimits, sandbox_status

A = "01-armoede-zien"
KEY = {1: "C", 2: "B", 3: "A"}  # exercises/01-armoede-zien/opdracht.yml
HOST_SECRET = "leerplein-host-secret-" + str(os.getpid())


def edit(nb, checks: dict | None = None, reflections: dict | None = None, extra: dict | None = None):
    for cell in nb.cells:
        for n, value in (checks or {}).items():
            if cell.cell_type == "code" and cell.source.startswith(f"antwoord_{n} ="):
                cell.source = f"antwoord_{n} = {value!r}" + (extra or {}).get(n, "")
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in (reflections or {}):
            cell.source = reflections[gid]
    return nb


def by_id(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    if sandbox_status():
        pytest.fail(f"the sandbox must work in CI: {sandbox_status()}")
    base = tmp_path_factory.mktemp("cycle")
    course = Course(ROOT, base / "course", base / "exchange")
    secret_file = base / "host-secret.txt"
    secret_file.write_text(HOST_SECRET)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    gradebook = course.directory / "gradebook.db"
    other = course.directory / "submitted" / "goed" / A / f"{A}.ipynb"

    good = {1: "C", 2: "B", 3: "A"}
    plans = {
        "goed": dict(checks=good, reflections={"reflectie-1": "Ik zag signalen: schaamte, afspraken vergeten.",
                                               "reflectie-2": "Op drie niveaus: persoon, organisatie, samenleving."}),
        "deels": dict(checks={1: " c ", 2: "A", 3: "a"}),
        "leeg": {},
        "html": dict(checks=good, reflections={"reflectie-1": '<script>alert("xss")</script><b>vet</b> & meer'}),
        "grote-uitvoer": dict(checks=good, extra={1: "\nprint('x' * 2_000_000)"}),
        "oneindig": dict(checks=good, extra={2: "\nwhile True:\n    pass"}),
        "lezer": dict(checks={1: "C", 2: "B", 3: "A"},
                      extra={1: f"\nprint(open({str(secret_file)!r}).read())",
                             2: "\nimport os\nprint(sorted(os.listdir('/')))\nprint(open('/etc/hostname').read())"}),
        "gradebook": dict(checks=good, extra={1: f"\nprint(open({str(gradebook)!r}, 'rb').read(100))"}),
        "afkijker": dict(checks=good, extra={1: f"\nprint(open({str(other)!r}).read())"}),
        "schrijver": dict(checks=good, extra={1: f"\nopen({str(base / 'geschreven.txt')!r}, 'w').write('x')",
                                              2: f"\nopen({str(gradebook)!r}, 'wb').write(b'kapot')"}),
        "netwerk": dict(checks=good, extra={1: f"\nimport socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"}),
        "vork": dict(checks=good, extra={1: "\nimport os\nfor _ in range(500):\n    os.fork() or os._exit(0)"}),
        "geheugen": dict(checks=good, extra={1: "\nblok = bytearray(6 * 2**30)"}),
    }
    roster = base / "roster.csv"
    traps = ["link-naar-ander", "link-map", "fifo", "apparaat", "harde-link", "te-groot"]
    names = [*plans, "ongeldig-json", "cel-weg", "dubbel", "vast-aangepast", "oud-formaat", "niet-utf8", "ontbreekt",
             *traps]
    roster.write_text("username,name,role\n" + "".join(f"{n},Student {n},student\n" for n in names) + "juf,Juf,teacher\n")
    init_course(course, roster)
    api = course.api()
    assert api.generate_assignment(A, force=True)["success"]
    assert api.release_assignment(A)["success"]

    homes = base / "homes"
    for student in names:
        folder = fetch_as(course, A, student, homes / student)
        path = folder / f"{A}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        if student in plans:
            nbformat.write(edit(nb, **plans[student]), str(path))
        elif student == "ongeldig-json":
            path.write_text('{"cells": [ kapot', encoding="utf-8")
        elif student == "cel-weg":
            edit(nb, checks=good)
            del nb.cells[by_id(nb, "check-1")]
            del nb.cells[by_id(nb, "reflectie-2")]
            nbformat.write(nb, str(path))
        elif student == "dubbel":
            edit(nb, checks=good)
            nb.cells.insert(by_id(nb, "reflectie-1"), nb.cells[by_id(nb, "reflectie-1")].copy())
            nbformat.write(nb, str(path))
        elif student == "vast-aangepast":
            edit(nb, checks={1: "A", 2: "B", 3: "A"})
            nb.cells[by_id(nb, "check-1")].source = "pass  # ik pas de toets aan"
            nbformat.write(nb, str(path))
        elif student == "oud-formaat":
            edit(nb, checks=good)
            path.write_text(nbformat.writes(nbformat.convert(nb, 3), version=3), encoding="utf-8")
        elif student == "niet-utf8":
            edit(nb, checks=good, reflections={"reflectie-1": "Een café, een één en een ë."})
            path.write_bytes(nbformat.writes(nb).encode("cp1252"))
        elif student in traps:
            nbformat.write(edit(nb, checks=good), str(path))
        elif student == "ontbreekt":
            path.unlink()
            (folder / "notities.txt").write_text("vergeten")
        submit_as(course, A, student, homes / student)
    plant_traps(course, base, secret_file)
    collected = collect(course, A)
    assert set(collected.staged) >= set(names) - {"te-groot"}

    gradebook_before = gradebook.read_bytes()
    start = time.perf_counter()
    outcomes = autograde(course, A, limits=SandboxLimits(cell_seconds=3, notebook_seconds=40, memory_mb=1024))
    seconds = time.perf_counter() - start
    try:
        listener.accept()
        reached = True
    except OSError:
        reached = False
    listener.close()
    return dict(course=course, outcomes={o.student: o for o in outcomes}, base=base, names=names, seconds=seconds,
                reached=reached, gradebook_before=gradebook_before)


def inbound_entry(course, student) -> Path:
    return next((course.exchange / "leerplein" / "inbound").glob(f"{student}+{A}+*"))


def plant_traps(course, base, secret_file) -> None:
    """After submitting, change the submission in the exchange as a hostile student would."""
    other = inbound_entry(course, "goed") / f"{A}.ipynb"
    nb = inbound_entry(course, "link-naar-ander") / f"{A}.ipynb"
    nb.unlink()
    nb.symlink_to(other)  # the notebook is now a link to another student's notebook
    os.symlink("/etc", inbound_entry(course, "link-map") / "etc")
    os.mkfifo(inbound_entry(course, "fifo") / "wacht.fifo")  # a reader would block forever
    os.mknod(inbound_entry(course, "apparaat") / "nul", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    hard = inbound_entry(course, "harde-link") / f"{A}.ipynb"
    hard.unlink()
    os.link(secret_file, hard)
    for i in range(300):
        (inbound_entry(course, "te-groot") / f"bestand-{i}.txt").write_text("x")


def graded_nb(course, student) -> str:
    return (course.directory / "autograded" / student / A / f"{A}.ipynb").read_text(encoding="utf-8")


def test_honest_submissions_score_as_the_answer_key_says(cohort):
    o = cohort["outcomes"]
    assert o["goed"].status == "nagekeken" and o["goed"].score == 3 and o["goed"].max_score == 18
    assert o["deels"].score == 2  # " c " and "a" count (case and spaces), "A" for check 2 is wrong
    assert o["leeg"].score == 0 and o["leeg"].status == "nagekeken"
    for student in ("html", "grote-uitvoer", "oud-formaat", "niet-utf8", "dubbel"):
        assert o[student].score == 3, (student, o[student])


def test_a_wrong_format_gives_a_dutch_hint_not_a_traceback(cohort):
    text = graded_nb(cohort["course"], "leeg")
    assert "je hebt nog geen antwoord ingevuld" in text
    assert "Traceback" not in text


def test_broken_submissions_get_a_message_and_the_rest_is_graded(cohort):
    o = cohort["outcomes"]
    assert o["ongeldig-json"].status == "fout" and "beschadigd" in " ".join(o["ongeldig-json"].messages)
    assert o["ontbreekt"].status == "fout" and "ontbreekt" in " ".join(o["ontbreekt"].messages)
    assert "notities.txt" in " ".join(o["ontbreekt"].messages)
    assert "verwijderd" in " ".join(o["cel-weg"].messages) and o["cel-weg"].status == "nagekeken"
    assert o["cel-weg"].score == 2  # the deleted test cell is restored by nbgrader and scores 0
    assert "keer" in " ".join(o["dubbel"].messages)
    assert "aangepast" in " ".join(o["vast-aangepast"].messages)
    assert o["vast-aangepast"].score == 2  # the original test came back and still rejects answer A
    assert "oud notebookformaat" in " ".join(o["oud-formaat"].messages)
    assert "UTF-8" in " ".join(o["niet-utf8"].messages)
    originals = cohort["course"].state / "originals" / A
    assert (originals / "niet-utf8" / f"{A}.ipynb").read_bytes().decode("cp1252")  # the original is kept
    statuses = load_statuses(cohort["course"], A)
    assert set(statuses) == set(cohort["names"]) - {"te-groot"}  # never collected: see the next test


def test_the_sandbox_stops_floods_loops_forks_and_memory_with_a_message(cohort):
    o, course = cohort["outcomes"], cohort["course"]
    assert "ingekort" in " ".join(o["grote-uitvoer"].messages)
    assert (course.directory / "autograded" / "grote-uitvoer" / A / f"{A}.ipynb").stat().st_size < 200_000
    assert "tijdslimiet" in " ".join(o["oneindig"].messages)
    assert o["oneindig"].score == 3  # the loop sits in an answer cell; the checks after it still ran
    assert "geheugenlimiet" in " ".join(o["geheugen"].messages) or "Geheugenlimiet" in graded_nb(course, "geheugen")
    assert "Resource temporarily unavailable" in graded_nb(course, "vork")
    for student in ("vork", "geheugen", "netwerk"):
        assert o[student].status == "nagekeken"


def test_student_code_sees_nothing_of_the_host_and_changes_nothing(cohort):
    course = cohort["course"]
    lezer = graded_nb(course, "lezer")
    assert HOST_SECRET not in lezer
    assert "No such file or directory" in lezer
    listing = re.search(r"\[('[^\]]*)\]", lezer.replace('\\"', '"')).group(1)
    assert "'etc'" not in listing and "'home'" not in listing and "'opdracht'" in listing
    assert "SQLite format" not in graded_nb(course, "gradebook")
    assert "reflectie-1" not in graded_nb(course, "afkijker").split("antwoord_1")[1][:2000] or \
        "No such file or directory" in graded_nb(course, "afkijker")
    assert not (cohort["base"] / "geschreven.txt").exists()
    assert (course.directory / "gradebook.db").read_bytes()[:15] == b"SQLite format 3"
    assert not cohort["reached"], "a sandboxed cell reached a server on the host's loopback"
    assert "Connection refused" in graded_nb(course, "netwerk") or "Network is unreachable" in graded_nb(course, "netwerk")


def test_collect_follows_no_link_and_reads_no_special_file(cohort):
    """Links, hard links, fifos, devices and oversized trees in a submission are not collected;
    each student gets a Dutch message, the others are graded as usual."""
    course, o = cohort["course"], cohort["outcomes"]
    submitted = course.directory / "submitted"
    for path in submitted.rglob("*"):
        assert not path.is_symlink() and (path.is_dir() or path.is_file()), path
        if path.is_file():
            assert path.stat().st_nlink == 1 and HOST_SECRET not in path.read_text(errors="replace"), path
    goed_reflection = "Ik zag signalen"
    assert not (submitted / "link-naar-ander" / A / f"{A}.ipynb").exists()
    assert o["link-naar-ander"].status == "fout" and "snelkoppeling" in " ".join(o["link-naar-ander"].messages)
    for student in ("link-naar-ander", "harde-link"):
        graded = course.directory / "autograded" / student / A / f"{A}.ipynb"
        assert not graded.exists() or goed_reflection not in graded.read_text()
    assert not (submitted / "link-map" / A / "etc").exists() and o["link-map"].score == 3
    assert "snelkoppeling" in " ".join(o["link-map"].messages)
    assert "pipe" in " ".join(o["fifo"].messages) and o["fifo"].score == 3
    assert "apparaat" in " ".join(o["apparaat"].messages) and o["apparaat"].score == 3
    assert "harde link" in " ".join(o["harde-link"].messages) and o["harde-link"].status == "fout"
    assert "te groot" in " ".join(intake_messages(course, A)["te-groot"])
    assert not (submitted / "te-groot").exists()
    status = subprocess.run([sys.executable, "-m", "leerplein.cli", "course", "status", "--course-dir",
                             str(course.directory), "--exchange", str(course.exchange)],
                            capture_output=True, text=True, cwd=ROOT)
    assert "link-naar-ander" in status.stdout and "snelkoppeling" in status.stdout
    assert "te-groot" in status.stdout and "te groot" in status.stdout


def test_rubric_grades_feedback_export_report_and_forget(cohort, tmp_path):
    course = cohort["course"]
    exercise = load_exercise(ROOT, A)
    top = {c.id: c.niveaus[-1].naam for c in exercise.rubric["reflectie-1"]}
    mid = {c.id: "voldoende" for c in exercise.rubric["reflectie-2"]}  # the pass level of four
    assert save_rubric_grade(course, A, "goed", "reflectie-1", top, "Sterke voorbeelden.") == 6
    assert save_rubric_grade(course, A, "goed", "reflectie-2", mid, "") == 6
    save_rubric_grade(course, A, "html", "reflectie-1", top, "<i>netjes</i>")
    graded = [s for s, st in load_statuses(course, A).items() if st["status"] == "nagekeken"]
    generate_feedback(course, A, graded)
    outcome = release_feedback(course, A)
    assert outcome.skipped == {} and sorted(outcome.released) == sorted(graded)

    released = list((course.exchange / "leerplein" / "feedback").glob("*.html"))
    assert len(released) == len(graded)
    for path in [*released, *(feedback_path(course, A, s) for s in graded)]:
        text = path.read_text(encoding="utf-8")
        for leak in ("HIDDEN TESTS", "goed=", "kies(", "Traceback", "NietGoed", "niet goed.\""):
            assert leak not in text, (path, leak)
        assert not re.search(r"""(src|href)=["']https?://""", text), path
    goed = feedback_path(course, A, "goed").read_text(encoding="utf-8")
    level = exercise.rubric["reflectie-1"][0].niveaus[-1]
    assert level.naam in goed and level.beschrijving in goed and "Sterke voorbeelden." in goed
    assert "15 van 18 punten" in goed
    html_fb = feedback_path(course, A, "html").read_text(encoding="utf-8")
    from leerplein.course.prepare.rubrics import model_answers

    for level_texts in model_answers(ROOT, A).values():  # teachers' model answers stay with teachers
        for text in level_texts.values():
            snippet = " ".join(text.split()[:8])
            assert snippet not in goed and snippet not in html_fb
    assert "<script>alert" not in html_fb and "&lt;script&gt;alert" in html_fb and "&lt;i&gt;netjes" in html_fb

    out = tmp_path / "grades.csv"
    export_csv(course, "brightspace", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0].keys() >= {"OrgDefinedId", f"{A} Points Grade", "End-of-Line Indicator"}
    assert {r["OrgDefinedId"]: r[f"{A} Points Grade"] for r in rows}["goed"] == "15"
    # the pass result by the course's rules: nobody here has done all six assignments; whose
    # reflections still wait for grading gets no result yet (an empty cell, not a 0)
    result = {r["OrgDefinedId"]: r["Leerplein geslaagd Points Grade"] for r in rows}
    assert result["goed"] == "0" and result["html"] == "" and set(result.values()) == {"0", ""}
    export_csv(course, "canvas", out, pseudonymise=True)
    text = out.read_text(encoding="utf-8")
    assert "goed" not in text.split("\n", 1)[1] and "Student goed" not in text and "p-" in text
    export_csv(course, "moodle", out)
    assert out.read_text(encoding="utf-8").startswith(f"Username,{A}")

    report = write_report(course, tmp_path / "report.html").read_text(encoding="utf-8")
    assert report.count('src="data:image/png;base64,') == 3
    assert "beschadigd" in report and "<script>alert" not in report
    assert "alt=\"Reflectie-opdracht: armoede zien" in report  # the assignment by its title

    status = subprocess.run([sys.executable, "-m", "leerplein.cli", "course", "status", "--course-dir",
                             str(course.directory), "--exchange", str(course.exchange)],
                            capture_output=True, text=True, cwd=ROOT)
    assert status.returncode == 0, status.stderr
    assert "ongeldig-json" in status.stdout and "beschadigd" in status.stdout

    set_aside = course.exchange / "leerplein" / ".quarantine" / f"inbound.html+{A}+2026-01-01 00:00:00 UTC+x"
    set_aside.mkdir()  # a submission of hers that collect moved aside
    removed = forget_student(course, "html").removed
    assert not set_aside.exists()
    assert any("gradebook" in r for r in removed) and any("submitted" in r for r in removed)
    assert any(r.startswith("exchange: feedback/") for r in removed) and any("inbound" in r for r in removed)
    leftovers = [p for root in (course.directory, course.exchange) for p in root.rglob("*") if "html" == p.name
                 or p.name.startswith("html+") or p.name == "html.json"]
    assert leftovers == []
    export_csv(course, "moodle", out)
    assert "\nhtml," not in out.read_text(encoding="utf-8")
    assert len(list((course.exchange / "leerplein" / "feedback").glob("*.html"))) == len(graded) - 1


def test_rerun_after_kill_minus_nine_leaves_no_lost_or_duplicated_grades(cohort):
    course = cohort["course"]
    cmd = [sys.executable, "-m", "leerplein.cli", "course", "autograde", A, "--course-dir", str(course.directory),
           "--exchange", str(course.exchange), "--cell-seconds", "3"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(2.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        subs = gb.assignment_submissions(A)
        ids = [s.student_id for s in subs]
        assert len(ids) == len(set(ids))
        scores = {s.student_id: s.score for s in subs}
    assert scores["goed"] == 15 and scores["deels"] == 2  # manual rubric points survive a re-run
    # repairs made in the first run are still reported after the re-run
    again = load_statuses(course, A)
    assert "UTF-8" in " ".join(again["niet-utf8"]["messages"])
    assert "meer dan één keer" in " ".join(again["dubbel"]["messages"])
