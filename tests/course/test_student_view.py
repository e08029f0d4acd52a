"""The student view's logic without a hub: the assignment as a form (same scores as before,
nbgrader validate still works), bad input that changes nothing, module pages without code,
private notes, Dutch feedback grammar, the Dutch code stub, and the book's launch link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from leerplein.course.prepare.assign import build_notebook, load_exercise
from leerplein.course.results.feedback import points, score
from leerplein.student.form import FormError, read_form, save_answers

A = "01-armoede-zien"


@pytest.fixture
def released(tmp_path) -> Path:
    """The student's copy as nbgrader releases it (generate_assignment on the single source)."""
    course = tmp_path / "course"
    source = course / "source" / A / f"{A}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(build_notebook(load_exercise(ROOT, A)), str(source))
    from leerplein.course.course import CODE_STUB, CONFIG_TEMPLATE, COURSE_ID, TEXT_STUB, exchange_factory_config

    (course / "nbgrader_config.py").write_text(CONFIG_TEMPLATE.format(
        root=str(course), course_id=COURSE_ID, db=f"sqlite:///{course / 'gradebook.db'}",
        exchange=str(tmp_path / "exchange"), text_stub=TEXT_STUB, code_stub=CODE_STUB,
        factory=exchange_factory_config()))
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", A, "--force",
                           "--CourseDirectory.db_url=sqlite:///" + str(course / "gradebook.db")],
                          cwd=course, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    student = tmp_path / "home" / A / f"{A}.ipynb"
    student.parent.mkdir(parents=True)
    student.write_bytes((course / "release" / A / f"{A}.ipynb").read_bytes())
    return student


def test_the_released_notebook_reads_as_a_form(released):
    form = read_form(released)
    assert form.titel.startswith("Reflectie-opdracht")
    kinds = [(q.id, q.vorm) for q in form.questions]
    assert kinds == [("reflectie-1", "tekst"), ("reflectie-2", "tekst"), ("check-1", "keuze"), ("check-2", "keuze"),
                     ("check-3", "keuze")]
    assert form.questions[2].opties["C"].startswith("Welke armoedegrens elk cijfer gebruikt")
    assert len(form.missing()) == 5
    released_text = released.read_text()
    assert '"goed=' not in released_text and "uitleg" not in released_text, "the answer key reached the student"


def test_form_answers_are_what_nbgrader_grades(released):
    from leerplein.student.assignments import validate

    save_answers(released, {"reflectie-1": "Mijn reflectie.", "check-1": "c", "check-2": "B"})
    nb = nbformat.read(str(released), as_version=4)
    sources = [c.source for c in nb.cells]
    assert 'antwoord_1 = "C"' in sources and 'antwoord_2 = "B"' in sources and "Mijn reflectie." in sources
    form = read_form(released)
    assert [q.titel for q in form.questions if not q.answered] == ["Reflectie 2", "Kennischeck 3"]
    problems = validate(released)
    assert "Kennischeck 3: kies nog een antwoord." in problems
    save_answers(released, {"reflectie-2": "Tweede.", "check-3": "A"})
    assert validate(released) == []
    # the command-line validate agrees
    cli = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(released)], capture_output=True,
                         text=True, cwd=released.parent)
    assert "Success" in cli.stdout, cli.stdout + cli.stderr


def test_bad_input_changes_nothing(released):
    before = released.read_bytes()
    for answers in ({"check-1": "D"}, {"check-1": "<script>"}, {"onbekend": "x"},
                    {"reflectie-1": "x" * 20_001}, {"reflectie-1": "goed", "check-2": "Z"}):
        with pytest.raises(FormError) as err:
            save_answers(released, answers)
        assert str(err.value)[0].isupper() and "Traceback" not in str(err.value)
        assert released.read_bytes() == before, answers
    # markup is kept as the student's own text; it is escaped where shown (see the hub test)
    save_answers(released, {"reflectie-1": "<img src=x onerror=alert(1)>"})
    assert read_form(released).questions[0].antwoord == "<img src=x onerror=alert(1)>"


def test_a_damaged_notebook_gets_a_dutch_message(tmp_path):
    broken = tmp_path / "a.ipynb"
    broken.write_text("{niet af")
    with pytest.raises(FormError, match="beschadigd"):
        read_form(broken)
    plain = tmp_path / "b.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1+1")]), str(plain))
    with pytest.raises(FormError, match="docent"):
        read_form(plain)


def test_the_dutch_code_stub_fails_when_left_unanswered(tmp_path):
    """A teacher's own code exercise: the released stub must not let the tests after it pass."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from leerplein.course.course import CODE_STUB

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE_STUB), nbformat.v4.new_code_cell("print('na')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with pytest.raises(CellExecutionError, match="NotImplementedError"):
        NotebookClient(nb, timeout=60).execute()
    assert CODE_STUB.startswith("# Typ hier je antwoord.")


def test_points_are_counted_in_good_dutch():
    assert [points(0), points(1), points(2), points(2.5)] == ["0 punten", "1 punt", "2 punten", "2,5 punten"]
    assert score(1, 1) == "1 van 1 punt" and score(0, 1) == "0 van 1 punt" and score(13, 15) == "13 van 15 punten"


def test_every_kennischeck_explains_its_answer(tmp_path):
    from leerplein.course.prepare.assign import ExerciseError, exercise_slugs

    for slug in exercise_slugs(ROOT):
        for q in load_exercise(ROOT, slug).checks:
            assert len(q["uitleg"].split()) >= 6, (slug, q["id"])
    copy = tmp_path / "exercises" / A
    copy.mkdir(parents=True)
    text = (ROOT / "exercises" / A / "opdracht.yml").read_text()
    (copy / "opdracht.yml").write_text("\n".join(l for l in text.splitlines() if "uitleg:" not in l))
    (tmp_path / "grading").symlink_to(ROOT / "grading")
    with pytest.raises(ExerciseError, match="uitleg"):
        load_exercise(tmp_path, A)


def test_module_pages_show_the_book_without_code_and_keep_links_inside(built_book):
    from leerplein.student import pages

    page = pages.load_page(built_book, A, "doe-rondkomen", "/user/x/leerplein/")
    assert 'class="lp-interactive"' in page.html and "{cite" not in page.html
    assert "<script>" not in page.html and "thebe" not in page.html and "headerlink" not in page.html
    assert 'href="/user/x/leerplein/boek/book/bronnen.html#' in page.html
    assert page.titel == "Doe mee: rondkomen"
    for module, name in (("..", "x"), (A, "../../etc/passwd"), (A, "bestaat-niet"), ("", "")):
        with pytest.raises(FormError):
            pages.load_page(built_book, module, name, "/")
    listed = pages.modules(built_book)
    assert [m["name"] for m in listed][:2] == [A, "02-schaarste-en-bandbreedte"]
    assert {"name": "doe-rondkomen", "titel": "Doe mee: rondkomen", "module": A} in listed[0]["doe"]


def test_notes_are_private_and_refuse_a_planted_link(tmp_path):
    from leerplein.student import pages

    old = os.umask(0o077)
    try:
        path = pages.save_notes(tmp_path, A, "doe-rondkomen", "Mijn notitie\r\nregel 2")
    finally:
        os.umask(old)
    assert pages.read_notes(tmp_path, A, "doe-rondkomen") == "Mijn notitie\nregel 2"
    assert (path.stat().st_mode & 0o077) == 0 and (path.parent.stat().st_mode & 0o077) == 0
    with pytest.raises(FormError, match="te lang"):
        pages.save_notes(tmp_path, A, "doe-rondkomen", "x" * 20_001)
    assert pages.read_notes(tmp_path, A, "doe-rondkomen") == "Mijn notitie\nregel 2"
    other = tmp_path / "elders"
    other.mkdir()
    (tmp_path / "Leerplein" / "aantekeningen" / "02-schaarste-en-bandbreedte").symlink_to(other)
    with pytest.raises(FormError, match="snelkoppeling"):
        pages.save_notes(tmp_path, "02-schaarste-en-bandbreedte", "doe-schaarste-spel", "x")
    assert not list(other.iterdir())


@pytest.mark.slow
def test_doe_mee_pages_link_into_the_student_view(tmp_path):
    """A one-page book with `leerplein_hub_url` set: the Doe mee page carries the link."""
    import shutil

    from leerplein.hub.links import student_page_url

    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / "book" / name, book / name)
    shutil.copytree(ROOT / "book" / "_assets", book / "_assets")
    (book / "_templates").mkdir()
    config = book / "_config.yml"
    config.write_text(config.read_text().replace('leerplein_hub_url: ""', 'leerplein_hub_url: "https://hub.example.nl"'))
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: modules/01-proef/doe-proef\n")
    (book / "intro.md").write_text("# Proef\n\nEen korte intro.\n")
    page = tmp_path / "modules" / "01-proef" / "doe-proef.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Doe mee: proef\n\nEen tekst.\n")
    built = subprocess.run([str(ROOT / ".venv/bin/leerplein"), "build"], cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, "LEERPLEIN_ROOT": str(tmp_path)}, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    html = (tmp_path / "book/_build/html/modules/01-proef/doe-proef.html").read_text()
    assert student_page_url("https://hub.example.nl", "modules/01-proef/doe-proef") in html
    assert "Doe mee op Leerplein" in html
    assert "Doe mee op Leerplein" not in (tmp_path / "book/_build/html/book/intro.html").read_text()


def test_the_zelfscan_and_the_eindopdracht_are_in_the_student_view_with_links_inside(built_book):
    from leerplein.student import pages

    base = "/user/x/leerplein/"
    scan = pages.load_book_page(built_book, "leerpaden", base)
    assert 'data-tool="zelfscan"' in scan.html and "<pre" not in scan.html
    # the advice's links (in the interactive's data) and the page's own links stay in the student view
    assert f'"href":"{base}pagina/01-armoede-zien/02-dichtbij-en-onzichtbaar"' in scan.html
    assert '"href":"../' not in scan.html and f'href="{base}eindopdracht"' in scan.html
    final = pages.load_book_page(built_book, "eindopdracht", base)
    assert "Cesuur" in final.html and "cesuur" in final.html
    from leerplein.book.count_rules import attendance_minimum, counted_sessions

    sessions = sum(counted_sessions(ROOT).values())  # the session plans the modules count (5 + 6)
    assert sessions == 11 and f"minstens {attendance_minimum(ROOT)} van de {sessions} bijeenkomsten" in final.html
    for name in ("intro", "../../etc/passwd", "begrippenlijst"):
        with pytest.raises(FormError):
            pages.load_book_page(built_book, name, base)
