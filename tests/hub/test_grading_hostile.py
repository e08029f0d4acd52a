"""Holes 4 and 5 of issue 22 and the `course forget` weakness, against a real hub set up as the
README says. Alice has an unsubmitted draft in her home; Eva deletes the secret from her own
submission; Kees's work is placed in submitted/ by hand (an LMS download); Vera asks to be
forgotten. Anna is the honest student: every probe next to a check that her work goes through."""

from __future__ import annotations

import os
import pwd
import re
import stat
import sys
from pathlib import Path

import nbformat
import pytest
import requests

from conftest import ROOT
from hub_helpers import (service_url, A, as_user, leerplein, login, port_for, reachable_base, remove_users, run_code,
                         server_token, start_course_hub, stop_course_hub)
from leerplein.course.course import Course

TEACHER, ANNA, EVA, ALICE, KEES, VERA = "gsdocent", "gsanna", "gseva", "gsalice", "gskees", "gsvera"
TAG = str(os.getpid())
ANNA_TEXT, ALICE_DRAFT, EVA_TEXT = f"ANNA-REFLECTIE-{TAG}", f"ALICE-CONCEPT-{TAG}", f"EVA-REFLECTIE-{TAG}"
GRADING = "/services/leerplein-grading"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "grading-hostile")
    for attempt in range(3):  # on a loaded machine the hub may miss `hub start`'s 60 s: wait and start again
        try:
            hub = start_course_hub(base, [TEACHER], [ANNA, EVA, ALICE, KEES, VERA], port_for(3))
            break
        except AssertionError as err:
            leerplein("hub", "stop", "--state-dir", str(base / "state"))  # never leave a half-set-up hub running
            if "did not come up" not in str(err) or attempt == 2:
                remove_users([TEACHER, ANNA, EVA, ALICE, KEES, VERA])
                raise
    hub["exchange"] = hub["state"] / "exchange"
    hub["course_dir"] = hub["state"] / "course"
    yield hub
    stop_course_hub(hub)


def home(user) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def nbgrader_as(hub, user, *args):
    """nbgrader in the student's own terminal, with the hub's exchange and Leerplein's submit."""
    done = as_user(user, "env", f"JUPYTER_CONFIG_PATH={hub['state'] / 'jupyter-config'}", sys.executable, "-m",
                   "nbgrader", *args, "--course=leerplein", f"--Exchange.root={hub['exchange']}",
                   "--ExchangeFactory.submit=leerplein.course.intake.nbgrader_exchange.PrivateSubmit", cwd=str(home(user)),
                   timeout=120)
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    return done


def write_reflection(user, text):
    """She writes her reflection in her fetched notebook (as her own process)."""
    path = home(user) / A / f"{A}.ipynb"
    code = ("import nbformat, sys\np = sys.argv[1]\nnb = nbformat.read(p, as_version=4)\n"
            "for c in nb.cells:\n"
            "    if c.metadata.get('nbgrader', {}).get('grade_id') == 'reflectie-1':\n"
            "        c.source = sys.argv[2]\n"
            "    if c.cell_type == 'code' and c.source.startswith('antwoord_1'):\n"
            "        c.source = 'antwoord_1 = \"C\"'\n"
            "nbformat.write(nb, p)\n")
    done = as_user(user, sys.executable, "-c", code, str(path), text)
    assert done.returncode == 0, done.stderr


def inbound_entry(hub, student) -> Path:
    entries = (hub["exchange"] / "leerplein" / "inbound").glob(f"{student}+{A}+20*")
    return max(entries, key=lambda p: p.name.split("+")[2])


def course_cmd(hub, *args, ok=True):
    done = leerplein("course", *args, *hub["course"], timeout=600)
    if ok:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def handed_in(hub):
    """Anna and Eva fetch, write and submit; Alice fetches and writes but does not submit."""
    for user, text in ((ANNA, ANNA_TEXT), (EVA, EVA_TEXT), (ALICE, ALICE_DRAFT)):
        nbgrader_as(hub, user, "fetch_assignment", A)
        write_reflection(user, text)
    for user in (ANNA, EVA):
        nbgrader_as(hub, user, "submit", A)
    assert ALICE_DRAFT in (home(ALICE) / A / f"{A}.ipynb").read_text()
    return hub


def traversals(user: str) -> list[str]:
    """Ways to write ../../../../../home/<user> (five levels up from course/autograded/)."""
    target = str(home(user)).strip("/")
    up = "../" * 5
    return [
        (up + target).replace("/", "%2F"),
        (up + target).replace("/", "%2F").replace(".", "%2E"),
        (up + target).replace("/", "%252F"),
        (up + target).replace("/", "%5C"),
        "%2F" + target.replace("/", "%2F"),
        f"{ANNA}%2F" + (up + up + target).replace("/", "%2F"),
        (up + target).replace("/", "%2F") + "%00",
        "..",
    ]


def test_the_grading_service_serves_only_known_assignments_and_students(handed_in):
    hub = handed_in
    course_cmd(hub, "collect", A)
    teacher = login(hub, TEACHER)
    honest = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}")
    assert honest.status_code == 200 and ANNA_TEXT in honest.text  # the page works for a real submission
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", honest.text).group(1)
    probes = []
    for variant in traversals(ALICE):
        probes += [f"grade/{A}/{variant}", f"grade/{variant}/{ALICE}", f"grade/..%2F..%2F..%2Fexercises%2F{A}/{variant}"]
    probes += [f"grade/{A}/{ALICE}",  # a real student without a submission: her draft stays hers
               f"grade/onbekend/{ANNA}", f"grade/{A}/onbekend", f"grade/{A}%00/{ANNA}"]
    for probe in probes:
        r = teacher.get(f"{service_url(hub, 'leerplein-grading')}/{probe}")
        assert r.status_code in (400, 404), (probe, r.status_code)
        assert ALICE_DRAFT not in r.text and ANNA_TEXT not in r.text, probe
        posted = teacher.post(f"{service_url(hub, 'leerplein-grading')}/{probe}", data={
            "_xsrf": xsrf, "question": "reflectie-1", "reflectie-1:signalen": "goed", "reflectie-1:schaamte": "goed"})
        assert posted.status_code in (400, 403, 404), (probe, posted.status_code)
        assert ALICE_DRAFT not in posted.text
    # form fields: an unknown question, a level that does not exist, a comment that is far too long
    bad = [{"question": "../../../etc/passwd"}, {"question": "reflectie-1", "reflectie-1:signalen": "../x",
                                                  "reflectie-1:schaamte": "goed"},
           {"comment:reflectie-1": "x" * 20_000, "reflectie-1:signalen": "goed", "reflectie-1:schaamte": "goed"}]
    for fields in bad:
        r = teacher.post(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}", data={"_xsrf": xsrf, **fields})
        assert r.status_code == 400 or ("krijgt" not in r.text and "niet opgeslagen" in r.text), (fields, r.text[-500:])
    rubric = hub["course_dir"] / ".leerplein" / "rubric"
    assert not rubric.exists() or not any(rubric.rglob("*.json"))  # nothing was saved by any probe
    assert not list(hub["state"].parent.glob("*.json")) and not list(Path("/home").glob("*.json"))
    # a student who controls her own code cannot get in at all
    assert login(hub, EVA).get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}").status_code == 403
    # the grading pages carry the strict headers of every Leerplein surface (service_base)
    assert honest.headers.get("X-Content-Type-Options") == "nosniff" and "Content-Security-Policy" in honest.headers


def test_one_students_missing_secret_does_not_stop_feedback_for_the_others(handed_in):
    hub = handed_in
    # Eva deletes the secret from her own submission in the exchange; she may, it is her folder
    eva_entry = inbound_entry(hub, EVA)
    assert as_user(EVA, "rm", str(eva_entry / "submission_secret.txt")).returncode == 0
    collected = course_cmd(hub, "collect", A)
    # Kees's work comes from an LMS download: the teacher puts it in submitted/ by hand
    kees = hub["course_dir"] / "submitted" / KEES / A
    kees.mkdir(parents=True)
    nb = nbformat.read(str(hub["course_dir"] / "release" / A / f"{A}.ipynb"), as_version=4)
    nbformat.write(nb, str(kees / f"{A}.ipynb"))
    course_cmd(hub, "autograde", A)
    teacher = login(hub, TEACHER)
    page = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}")
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page.text).group(1)
    saved = teacher.post(page.url, data={"_xsrf": xsrf, "reflectie-1:signalen": "goed", "reflectie-1:schaamte": "goed",
                                         "question": "reflectie-1", "comment": "Sterk voorbeeld, Anna."})
    assert "reflectie-1 krijgt 6 punten" in saved.text
    # feedback goes out only for fully graded work: the rest of every reflection, for all three
    from leerplein.course.prepare.assign import load_exercise
    from leerplein.course.grading.rubric_grades import save_rubric_grade

    course = Course(ROOT, hub["course_dir"], hub["exchange"])
    for student in (ANNA, EVA, KEES):
        for question, criteria in load_exercise(ROOT, A).rubric.items():
            if student != ANNA or question != "reflectie-1":
                save_rubric_grade(course, A, student, question, {c.id: c.niveaus[2].naam for c in criteria})

    fed = course_cmd(hub, "feedback", A, ok=False)  # before: FileNotFoundError, nothing released for anyone
    assert fed.returncode == 0, fed.stdout[-2000:] + fed.stderr[-2000:]
    nbgrader_as(hub, ANNA, "fetch_feedback", A)  # Anna fetches her own feedback, as her JupyterLab would
    fetched = list((home(ANNA) / A / "feedback").rglob(f"{A}.html"))
    assert fetched, f"nothing released for Anna: {fed.stdout[-1500:]}"
    anna_feedback = fetched[0].read_text()
    assert ANNA_TEXT in anna_feedback and "Sterk voorbeeld, Anna." in anna_feedback
    # Eva and Kees are skipped and named, with a Dutch reason, in the output and in status
    assert EVA in collected.stdout and "submission_secret.txt" in collected.stdout
    assert "Released to the exchange for 1 students." in fed.stdout, fed.stdout
    assert f"{EVA}: De feedback is niet vrijgegeven" in fed.stdout and f"{KEES}: De feedback is niet vrijgegeven" \
        in fed.stdout
    status = course_cmd(hub, "status").stdout
    assert re.search(rf"{A} / {EVA}: .*submission_secret", status) and re.search(rf"{A} / {KEES}: .*niet vrijgegeven",
                                                                                  status)
    # Eva gets no feedback, and certainly not someone else's
    nbgrader_as(hub, EVA, "fetch_feedback", A)
    assert not list((home(EVA) / A).rglob("*.html"))
    # released feedback is readable by its own student only, even for someone who knows its name
    released = list((hub["exchange"] / "leerplein" / "feedback").glob("*.html"))
    assert len(released) == 1
    st = os.lstat(released[0])
    assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o640 and st.st_gid == pwd.getpwnam(ANNA).pw_gid
    assert as_user(EVA, "cat", str(released[0])).returncode != 0
    assert as_user(ANNA, "cat", str(released[0])).returncode == 0
    # the secret the course uses is its own record, not the copy in the student's folder
    secret = (hub["course_dir"] / "autograded" / EVA / A / "submission_secret.txt")
    assert not secret.exists() or len(secret.read_text()) == 128


def test_forget_on_a_hub_removes_her_records_files_and_account_and_says_what_is_left(hub):
    vera = server_token(hub, VERA)
    uid = pwd.getpwnam(VERA).pw_uid
    anna_keep = Path(f"/tmp/gsanna-blijft-{TAG}")
    as_user(ANNA, "sh", "-c", f"echo van-anna > {anna_keep}")
    made = run_code(hub, VERA, vera, (
        f"import os\nopen('/tmp/gsvera-notitie-{TAG}', 'w').write('privé')\n"
        f"open('/dev/shm/gsvera-{TAG}', 'w').write('privé')\n"
        f"os.makedirs('/tmp/gsvera-map-{TAG}/diep')\nopen('/tmp/gsvera-map-{TAG}/diep/a.txt', 'w').write('x')\n"
        f"os.symlink('{anna_keep}', '/tmp/gsvera-map-{TAG}/naar-anna')\n"
        f"os.symlink('{anna_keep}', '/tmp/gsvera-link-{TAG}')\nprint('klaar')"))
    assert made["stdout"].strip() == "klaar", made
    assert requests.get(f"{hub['url']}/hub/api/user", headers=vera).status_code == 200
    log = hub["state"] / "jupyterhub.log"
    assert VERA in log.read_text(errors="replace")  # the hub logged her logins and requests
    anna_lines = sum(1 for line in log.read_text(errors="replace").splitlines() if ANNA in line)

    done = leerplein("course", "forget", VERA, *hub["course"], "--hub-state-dir", str(hub["state"]),
                     "--remove-account", "--yes", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "through the hub's API" in out, out
    text = log.read_text(errors="replace")  # read now: the requests below are logged again
    assert not re.search(rf"(?<![A-Za-z0-9_.@-]){VERA}(?![A-Za-z0-9_@-])", text), \
        [line for line in text.splitlines() if VERA in line]
    assert sum(1 for line in text.splitlines() if ANNA in line) >= anna_lines
    # the hub's record, her tokens and servers
    assert requests.get(f"{hub['url']}/hub/api/users/{VERA}", headers=hub["admin"]).status_code == 404
    assert requests.get(f"{hub['url']}/hub/api/user", headers=vera).status_code in (401, 403)
    # her files in the shared temporary folders, without following her links
    for name in (f"/tmp/gsvera-notitie-{TAG}", f"/dev/shm/gsvera-{TAG}", f"/tmp/gsvera-map-{TAG}",
                 f"/tmp/gsvera-link-{TAG}"):
        assert not os.path.lexists(name), name
    assert anna_keep.read_text().strip() == "van-anna"
    assert not [p for root in ("/tmp", "/dev/shm") for p in Path(root).iterdir()
                if os.lstat(p).st_uid == uid and "gsvera" in p.name]
    # her account and home
    with pytest.raises(KeyError):
        pwd.getpwnam(VERA)
    assert not Path(f"/home/{VERA}").exists()
    assert VERA not in (hub["state"] / "initial-passwords.csv").read_text()
    # what is left, and why
    assert "Left, and why:" in out and "backup" in out and "roster" in out
    assert "system account" in out.split("Left, and why:")[0]
    # Anna is not affected
    anna = server_token(hub, ANNA)
    assert run_code(hub, ANNA, anna, "print(6 * 7)")["stdout"].strip() == "42"
    anna_keep.unlink()


def test_forget_refuses_a_name_that_is_not_a_user_name(hub):
    done = leerplein("course", "forget", "../../etc", *hub["course"], "--hub-state-dir", str(hub["state"]),
                     "--remove-account", "--yes")
    assert done.returncode == 2 and "not a user name" in done.stdout
    assert Path("/etc/passwd").exists()
