"""A hostile student against a real hub, set up as the README says (`leerplein hub start`, then
`leerplein course init` and `release` with the hub's course dir and exchange). Eva attacks;
Anna is an honest student whose work must stay private and intact; each test asserts both."""

from __future__ import annotations

import os
import pwd
import re
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from hub_helpers import (A, action, answer, as_user, leerplein, login, port_for, reachable_base, restart_server,
                         run_code, server_token,
                         start_course_hub, stop_course_hub)
from hub_helpers import service_url, user_url
from conftest import ROOT
from leerplein.course.course import Course
from leerplein.hub import limits

ANNA, EVA, TEACHER = "lpxanna", "lpxeva", "lpxdocent"
SECRET = f"ANNA-GEHEIM-{os.getpid()}"
MEMORY_MB, PROCESSES = 700, 60
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "hostile")
    hub = start_course_hub(base, [TEACHER], [ANNA, EVA], port_for(1), "--memory-mb", str(MEMORY_MB),
                           "--processes", str(PROCESSES))
    hub["exchange"] = hub["state"] / "exchange"
    hub["port"] = port_for(1)
    yield hub
    stop_course_hub(hub)


@pytest.fixture(scope="module")
def anna(hub):
    """Anna fetches, writes a personal reflection and submits it."""
    headers = server_token(hub, ANNA)
    action(hub, ANNA, headers, "fetch")
    answer(hub, ANNA, headers, f"Mijn eigen ervaring met geldzorgen. {SECRET}")
    action(hub, ANNA, headers, "submit")
    return headers


def inbound_entry(hub, student) -> Path:
    entries = (hub["exchange"] / "leerplein" / "inbound").glob(f"{student}+{A}+20*")
    return max(entries, key=lambda p: p.name.split("+")[2])  # the newest by nbgrader's timestamp


def course_cmd(hub, *args):
    done = leerplein("course", *args, *hub["course"], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mode(path: Path) -> int:
    st = os.lstat(path)
    assert st.st_uid == 0 and not stat.S_ISLNK(st.st_mode), path
    return stat.S_IMODE(st.st_mode)


def test_the_exchange_is_made_by_root_with_modes_students_cannot_undo(hub, anna):
    ex = hub["exchange"]
    assert mode(ex) == 0o755 and mode(ex / "leerplein") == 0o755
    assert mode(ex / "leerplein" / "inbound") == 0o1733 and mode(ex / "leerplein" / "outbound") == 0o755
    assert mode(ex / "leerplein" / "feedback") == 0o711
    assert as_user(EVA, "mv", str(ex / "leerplein"), str(ex / "weg")).returncode != 0
    assert as_user(EVA, "mkdir", str(ex / "leerplein" / "outbound" / "nep")).returncode != 0
    assert as_user(EVA, "sh", "-c", f"echo nep > '{ex}/leerplein/outbound/{A}/{A}.ipynb'").returncode != 0
    assert as_user(EVA, "ls", str(ex / "leerplein" / "inbound")).returncode != 0
    assert as_user(EVA, "touch", str(ex / "leerplein" / "feedback" / "nep.html")).returncode != 0
    # she cannot move or delete Anna's submission, even knowing its name (sticky bit)
    entry = inbound_entry(hub, ANNA)
    assert as_user(EVA, "mv", str(entry), str(entry) + "-weg").returncode != 0
    assert as_user(EVA, "rm", "-rf", str(entry)).returncode != 0
    assert entry.is_dir() and SECRET in (entry / f"{A}.ipynb").read_text()


def test_trees_planted_in_an_old_writable_exchange_root_are_moved_aside(hub, anna):
    """An exchange root left 0777 by an older install: Eva cannot move the course folder (on the
    hub it is the exchange's own file system, a mount point), but she plants a fake course tree
    in the root. The next course command moves it aside for the teacher and makes the root 0755
    again; Anna's work is kept. (A course folder renamed under the older, unmounted layout is put
    back: tests/course/test_guard.py.)"""
    ex = hub["exchange"]
    os.chmod(ex, 0o777)
    assert as_user(EVA, "mv", str(ex / "leerplein"), str(ex / "oud")).returncode != 0
    planted = ex / "oud" / "outbound" / A
    assert as_user(EVA, "mkdir", "-p", str(planted)).returncode == 0
    assert as_user(EVA, "sh", "-c", f"echo NEP-OPDRACHT > '{planted}/{A}.ipynb'").returncode == 0

    out = course_cmd(hub, "status")
    assert "Exchange repaired" in out and "a student may have planted it" in out
    assert mode(ex) == 0o755 and mode(ex / "leerplein") == 0o755 and not (ex / "oud").exists()
    assert SECRET in (inbound_entry(hub, ANNA) / f"{A}.ipynb").read_text()
    assert "NEP-OPDRACHT" not in (ex / "leerplein" / "outbound" / A / f"{A}.ipynb").read_text()
    held = next(ex.glob(f".quarantine-*/oud/outbound/{A}/{A}.ipynb"))  # kept for the teacher, root-only
    assert "NEP-OPDRACHT" in held.read_text() and as_user(EVA, "cat", str(held)).returncode != 0
    listed = requests.get(f"{user_url(hub, ANNA)}/assignments", params={"course_id": "leerplein"},
                          headers=anna).json()
    assert {a["assignment_id"] for a in listed["value"]} == {A} and listed["success"]


def test_links_planted_in_a_submission_bring_back_nothing_of_another_student(hub, anna):
    headers = server_token(hub, EVA)
    action(hub, EVA, headers, "fetch")
    action(hub, EVA, headers, "submit")
    entry = inbound_entry(hub, EVA)
    anna_nb = Path(pwd.getpwnam(ANNA).pw_dir) / A / f"{A}.ipynb"
    attack = (f"cd '{entry}' && rm {A}.ipynb && ln -s '{anna_nb}' {A}.ipynb && ln -s /etc/shadow schaduw "
              f"&& ln -s '{pwd.getpwnam(ANNA).pw_dir}' anna-thuis && ln -s '{inbound_entry(hub, ANNA)}' anna-inlevering "
              f"&& mkfifo wachten")
    assert as_user(EVA, "sh", "-c", attack).returncode == 0, "the planting itself must work for the test to mean anything"
    # a hard link to Anna's file is refused by the kernel (protected_hardlinks); try anyway
    as_user(EVA, "ln", str(inbound_entry(hub, ANNA) / f"{A}.ipynb"), str(entry / "hard.ipynb"))
    # an entry with a name nbgrader cannot parse must not stop the collect for everyone
    as_user(EVA, "mkdir", str(hub["exchange"] / "leerplein" / "inbound" / f"{EVA}+{A}+geen-tijd+x"))

    collected = leerplein("course", "collect", A, *hub["course"], timeout=120)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "snelkoppeling" in collected.stdout and "pipe" in collected.stdout
    course_cmd(hub, "autograde", A)
    grade_everything(hub, ANNA)  # feedback goes out only for fully graded work
    course_cmd(hub, "feedback", A)
    action(hub, EVA, headers, "fetch_feedback")
    action(hub, ANNA, anna, "fetch_feedback")

    course_dir = hub["state"] / "course"
    shadow = Path("/etc/shadow").read_text()
    shadow_line = next(line for line in shadow.splitlines() if line.startswith("root:"))
    for folder in ("submitted", "autograded", "feedback"):
        for path in (course_dir / folder / EVA).rglob("*"):
            assert not path.is_symlink(), path
            if path.is_file():
                text = path.read_text(errors="replace")
                assert SECRET not in text and shadow_line not in text, path
    eva_home = Path(pwd.getpwnam(EVA).pw_dir)
    for path in eva_home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert SECRET not in path.read_text(errors="replace"), path
    status = course_cmd(hub, "status")
    assert EVA in status and "snelkoppeling" in status
    # Anna: collected, graded, her own feedback holds her own words
    assert SECRET in (course_dir / "autograded" / ANNA / A / f"{A}.ipynb").read_text()
    anna_feedback = next((Path(pwd.getpwnam(ANNA).pw_dir) / A / "feedback").rglob("*.html")).read_text()
    assert SECRET in anna_feedback


def test_an_impersonated_or_oversized_submission_is_refused_and_the_rest_collected(hub, anna):
    headers = server_token(hub, EVA)
    if not (Path(pwd.getpwnam(EVA).pw_dir) / A).is_dir():
        action(hub, EVA, headers, "fetch")
    forged = as_user(EVA, sys.executable, "-m", "nbgrader", "submit", A, "--course=leerplein", f"--student={ANNA}",
                     f"--Exchange.root={hub['exchange']}",
                     # nbgrader's own submit demands a writable exchange root; her JupyterLab's class lets her try
                     "--ExchangeFactory.submit=leerplein.course.intake.nbgrader_exchange.PrivateSubmit",
                     cwd=pwd.getpwnam(EVA).pw_dir)
    assert forged.returncode == 0, forged.stderr[-800:]
    action(hub, EVA, headers, "submit")
    big = inbound_entry(hub, EVA)
    assert as_user(EVA, "sh", "-c", f"cd '{big}' && for i in $(seq 1 250); do echo x > f$i.txt; done").returncode == 0
    out = course_cmd(hub, "collect", A)
    assert f"claims to be from {ANNA} but was submitted by {EVA}" in out
    assert "te groot" in out
    assert SECRET in (hub["state"] / "course" / "submitted" / ANNA / A / f"{A}.ipynb").read_text()


def test_memory_and_processes_are_limited_per_student(hub, anna):
    headers = server_token(hub, EVA)
    hub_id = limits.hub_id(hub["state"])
    eva_uid = pwd.getpwnam(EVA).pw_uid
    eva_pids = [int(p) for p in subprocess.run(["pgrep", "-u", str(eva_uid)], capture_output=True,
                                                text=True).stdout.split()]
    assert eva_pids and all(any(f"{hub_id}/user-{EVA}" in g for g in limits.group_of(p)) for p in eva_pids)
    before = limits.oom_kills(hub_id, f"user-{EVA}")
    # four processes of 250 MB each: fine one by one (the old per-process limit let this through)
    hog = ("import subprocess, sys\n"
           "ps = [subprocess.Popen([sys.executable, '-c', 'b = bytearray(250 * 2**20); import time; time.sleep(8)'])"
           " for _ in range(4)]\nprint('codes', [p.wait() for p in ps])")
    run_code(hub, EVA, headers, hog, timeout=90)
    assert limits.oom_kills(hub_id, f"user-{EVA}") > before
    assert limits.memory_in_use(hub_id, f"user-{EVA}") <= MEMORY_MB * 2**20
    # the kernel ends the largest of her processes, which may be her own JupyterLab: she starts it again
    headers = restart_server(hub, EVA)
    forks = ("import subprocess\nstarted = []\ntry:\n    for _ in range(200):\n"
             "        started.append(subprocess.Popen(['sleep', '30']))\nexcept OSError as e:\n"
             "    print('gestopt', e)\nprint('gestart', len(started))\nfor p in started:\n    p.kill()")
    result = run_code(hub, EVA, headers, forks)
    started = int(re.search(r"gestart (\d+)", result["stdout"]).group(1))
    assert "gestopt" in result["stdout"] and started < PROCESSES, result
    # Anna is not affected: her server answers and her code runs
    assert requests.get(f"{user_url(hub, ANNA)}/api/status", headers=anna).status_code == 200
    assert run_code(hub, ANNA, anna, "print(6 * 7)")["stdout"].strip() == "42"


def test_the_hubs_own_records_are_root_only(hub):
    state = hub["state"]
    assert mode(state) == 0o711
    for name in ("jupyterhub.sqlite", "jupyterhub.log", "jupyterhub_cookie_secret", "admin-token",
                 "initial-passwords.csv", "jupyterhub.pid"):
        assert mode(state / name) == 0o600, name
        assert as_user(EVA, "cat", str(state / name)).returncode != 0, name
    assert as_user(EVA, "ls", str(state)).returncode != 0
    hub_pid = (state / "jupyterhub.pid").read_text().strip()
    assert as_user(EVA, "cat", f"/proc/{hub_pid}/environ").returncode != 0  # holds the admin token


def test_a_student_reaches_no_service_around_the_hub(hub, anna):
    eva = server_token(hub, EVA)
    port = hub["port"]
    assert requests.get(f"http://127.0.0.1:{port + 2}/api/routes", timeout=5).status_code == 403  # proxy API
    direct = requests.get(f"http://127.0.0.1:{port + 3}/services/leerplein-grading/", allow_redirects=False, timeout=5)
    assert direct.status_code in (302, 403) and SECRET not in direct.text  # grading service without the hub
    assert requests.get(f"{hub['url']}/hub/api/users", headers=eva).status_code == 403
    assert requests.get(f"{hub['url']}/hub/api/users/{ANNA}", headers=eva).status_code in (403, 404)
    assert requests.post(f"{hub['url']}/hub/api/users/{ANNA}/tokens", headers=eva, json={}).status_code in (403, 404)
    # Anna's server, straight at its port instead of through the proxy, with Eva's token
    anna_pid = next(int(p) for p in subprocess.run(["pgrep", "-u", ANNA, "-f", "leerplein.hub.(singleuser|zygote)"],
                                                    capture_output=True, text=True).stdout.split())
    # the port her server listens on (a forked server's /proc/<pid>/environ is its fork server's)
    own_port = next(c.laddr.port for c in psutil.Process(anna_pid).net_connections("tcp")
                    if c.status == psutil.CONN_LISTEN and c.laddr.ip == "127.0.0.1")
    direct_url = f"http://127.0.0.1:{own_port}/user/{ANNA}/api/contents/{A}/{A}.ipynb"
    assert requests.get(direct_url, headers=anna, timeout=5).status_code == 200  # the address is right
    r = requests.get(direct_url, headers=eva, allow_redirects=False, timeout=5)
    assert r.status_code in (302, 403) and SECRET not in r.text
    # what a student's program writes in /tmp is private by default
    made = run_code(hub, EVA, eva, "import os\nopen('/tmp/eva-notitie.txt', 'w').write('privé')\n"
                                    "print(oct(os.stat('/tmp/eva-notitie.txt').st_mode & 0o777))")
    assert made["stdout"].strip() == "0o600"
    assert as_user(ANNA, "cat", "/tmp/eva-notitie.txt").returncode != 0
    os.unlink("/tmp/eva-notitie.txt")


def grade_everything(hub, student: str) -> None:
    """Every criterion of every reflection at its first level, as a teacher would on the page."""
    from leerplein.course.prepare.assign import load_exercise
    from leerplein.course.grading.rubric_grades import save_rubric_grade

    course = Course(ROOT, hub["state"] / "course", hub["exchange"])
    exercise = load_exercise(ROOT, A)
    for question, criteria in exercise.rubric.items():
        save_rubric_grade(course, A, student, question, {c.id: c.niveaus[0].naam for c in criteria})


def test_the_honest_cycle_still_works_after_all_this(hub, anna):
    from leerplein.course.intake.messages import intake_messages

    course_cmd(hub, "collect", A)
    course_cmd(hub, "autograde", A)
    teacher = login(hub, TEACHER)
    page = teacher.get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}")
    assert page.status_code == 200 and SECRET in page.text
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page.text).group(1)
    saved = teacher.post(page.url, data={"question": "reflectie-1", "comment": "Moedig gedeeld.", "_xsrf": xsrf,
                                         "reflectie-1:signalen": "goed", "reflectie-1:schaamte": "voldoende"})
    assert "reflectie-1 krijgt 5 punten" in saved.text
    saved = teacher.post(page.url, data={"_xsrf": xsrf, "reflectie-2:niveaus": "voldoende", "reflectie-2:gesprek":
                                         "voldoende", "reflectie-2:ontmoetingen": "voldoende"})
    assert "reflectie-2 krijgt" in saved.text  # every reflection graded: her feedback may go out
    assert login(hub, EVA).get(f"{service_url(hub, 'leerplein-grading')}/grade/{A}/{ANNA}").status_code == 403
    course_cmd(hub, "feedback", A)
    action(hub, ANNA, anna, "fetch_feedback")
    newest = max((Path(pwd.getpwnam(ANNA).pw_dir) / A / "feedback").rglob("*.html"), key=lambda p: p.stat().st_mtime)
    assert "Moedig gedeeld." in newest.read_text() and SECRET in newest.read_text()
    course = Course(ROOT, hub["state"] / "course", hub["exchange"])
    assert intake_messages(course, A).get(ANNA) == []  # nothing to report for the honest student
