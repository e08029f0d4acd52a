"""What hub/kubernetes/README.md ("Cohorts: what is the same ... and what is not") says about
cohorts on Kubernetes, checked against the shipped manifests and the code that reads them. The
grading pod reads the course's copy of the roster (written by `leerplein course init --roster` in
that pod): with the pod's own environment (grading.yaml, /srv paths under a tmp dir) the grading
service's own app shows a teacher her own cohorts' students and not another's, and a missing or
broken copy fails closed with a Dutch message. The hub's login is the one thing not run here: the
app is served in this process with the logged-in user set by the test (the hub's OAuth itself is
tested on a real hub in tests/hub/test_teacher_cohorts.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
import yaml

from conftest import ROOT
from leerplein.course.cohorts import PEOPLE_UNREADABLE, cohort_of, load_people, people_copy, write_people_copy
from leerplein.course.course import Course
from leerplein.teacher.scope import load_people as teacher_people, scope_for

KUBE = ROOT / "hub" / "kubernetes"
README_TABLE = "## Cohorts: what is the same as on one machine, and what is not"
PEOPLE = {"hyteacher": {"rol": "teacher", "cursus": "groep-a", "cursussen": ["groep-a"], "naam": "Hy Docent"},
          "hystudent": {"rol": "student", "cursus": "groep-a", "cursussen": ["groep-a"], "naam": "Hy Student"},
          "hyother": {"rol": "student", "cursus": "groep-b", "cursussen": ["groep-b"], "naam": "Hy Ander"}}


def grading_env() -> dict[str, str]:
    manifests = list(yaml.safe_load_all((KUBE / "grading.yaml").read_text()))
    pod = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]
    return {e["name"]: e.get("value", "") for e in pod["containers"][0]["env"]}


def pod_env(tmp_path: Path) -> dict[str, str]:
    """The grading pod's env with its /srv/... paths under tmp_path (the image's /opt/leerplein: ROOT)."""
    env = {name: str(tmp_path / value.lstrip("/")) if value.startswith("/srv/") else value
           for name, value in grading_env().items()}
    return {**env, "LEERPLEIN_ROOT": str(ROOT), "JUPYTERHUB_API_TOKEN": "not-used-here"}


def as_grading_pod(monkeypatch, tmp_path: Path) -> Course:
    for name in ("LEERPLEIN_PEOPLE_FILE", "LEERPLEIN_PEOPLE", "LEERPLEIN_COHORT", "JUPYTERHUB_SERVICE_URL"):
        monkeypatch.delenv(name, raising=False)
    env = pod_env(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Course(ROOT, Path(env["LEERPLEIN_COURSE_DIR"]), Path(env["LEERPLEIN_EXCHANGE"]))


COURSE_COPY = "/srv/leerplein/course/.leerplein/people.json"


def test_the_grading_pod_reads_the_courses_copy_of_the_roster():
    env = grading_env()
    assert env["LEERPLEIN_PEOPLE_FILE"] == COURSE_COPY
    course = Course(ROOT, Path(env["LEERPLEIN_COURSE_DIR"]), Path(env["LEERPLEIN_EXCHANGE"]))
    assert people_copy(course) == Path(COURSE_COPY)  # where `course init --roster` writes it
    readme = (KUBE / "README.md").read_text(encoding="utf-8")
    assert README_TABLE in readme and f"`LEERPLEIN_PEOPLE_FILE` ({COURSE_COPY})" in readme


def test_with_the_grading_pods_environment_a_teacher_has_her_cohorts(monkeypatch, tmp_path):
    course = as_grading_pod(monkeypatch, tmp_path)
    write_people_copy(course, PEOPLE)  # `course init --roster` in the grading pod
    scope = scope_for("hyteacher", teacher_people())
    assert scope.cohorts == ("groep-a",) and scope.allows("hystudent") and not scope.allows("hyother")


def test_collect_finds_the_cohort_in_the_courses_copy(monkeypatch, tmp_path):
    course = as_grading_pod(monkeypatch, tmp_path)
    assert cohort_of(load_people(course), "hystudent") == "leerplein"  # no copy yet: the one default cohort
    write_people_copy(course, PEOPLE)
    people = load_people(course)
    assert cohort_of(people, "hystudent") == "groep-a" and cohort_of(people, "hyother") == "groep-b"


def test_the_readme_says_where_student_servers_get_their_cohort():
    """The hub tells each student's server her cohort (tests/hub/test_kubernetes_values.py runs it)."""
    values = yaml.safe_load((KUBE / "values.yaml").read_text())
    assert "leerplein-cohorts" in values["hub"]["extraConfig"]
    readme = (KUBE / "README.md").read_text(encoding="utf-8")
    assert "KubeSpawner sets no `LEERPLEIN_COHORT`" not in readme
    assert "`hub.extraConfig.leerplein-cohorts`" in readme and "create configmap leerplein-mensen" in readme


ROSTER = ("username,name,role,course\n"
          "hkdoca,Docent Aaltje,teacher,groep-a\n"
          "hkdocab,Docent Bep,teacher,groep-b;groep-a\n"
          "hkanna,Anna de Wit,student,groep-a\n"
          "hkbert,Bert Jansen,student,groep-b\n")
WERKPLEK = "/services/leerplein-grading/werkplek/"
GRADING = "/services/leerplein-grading/"


@pytest.fixture
def grading_pod(monkeypatch, tmp_path):
    """The grading pod after `kubectl exec ... leerplein course init --roster roster.csv`, serving
    the grading service's own app; `login(name)` stands in for the hub's OAuth."""
    import tornado.ioloop
    from jupyterhub.services.auth import HubOAuthenticated

    from leerplein.hub.grading_service import build_app

    course = as_grading_pod(monkeypatch, tmp_path)
    for mount in (course.directory, course.exchange):  # the pod's volume mounts exist
        mount.mkdir(parents=True, exist_ok=True)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    init = subprocess.run([sys.executable, "-m", "leerplein.cli", "course", "init", "--roster", str(roster)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert init.returncode == 0, init.stdout + init.stderr
    assert people_copy(course).is_file()
    user = {"name": ""}
    monkeypatch.setattr(HubOAuthenticated, "get_current_user", lambda self: {"name": user["name"]} if user["name"]
                        else None)
    started, holder = threading.Event(), {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        app, _ = build_app(dict(os.environ))
        server = app.listen(0, address="127.0.0.1")
        holder.update(port=next(iter(server._sockets.values())).getsockname()[1], loop=tornado.ioloop.IOLoop.current())
        started.set()
        holder["loop"].start()

    threading.Thread(target=run, daemon=True).start()
    assert started.wait(30)

    def get(name: str, path: str) -> requests.Response:
        user["name"] = name
        return requests.get(f"http://127.0.0.1:{holder['port']}{path}", allow_redirects=False, timeout=60)

    yield course, get
    holder["loop"].add_callback(holder["loop"].stop)


def test_in_the_grading_pod_a_teacher_sees_her_own_cohorts_students_only(grading_pod):
    course, get = grading_pod
    mine = get("hkdoca", WERKPLEK + "voortgang")
    assert mine.status_code == 200 and "Anna de Wit" in mine.text and "Bert Jansen" not in mine.text
    both = get("hkdocab", WERKPLEK)  # a teacher of two cohorts keeps both (the copy's "cursussen")
    assert both.status_code == 200 and "groep-a" in both.text and "groep-b" in both.text
    assert "Bert Jansen" in get("hkdocab", WERKPLEK + "voortgang").text  # her first cohort: groep-b
    assert get("hkanna", WERKPLEK).status_code == 403  # a student has no cohort to teach
    assert get("hkdoca", GRADING).status_code == 200


@pytest.mark.parametrize("broken", ["missing", "not json", "a list", "a folder"])
def test_a_missing_or_broken_roster_copy_fails_closed_in_dutch(grading_pod, broken):
    course, get = grading_pod
    copy = people_copy(course)
    copy.unlink()
    if broken == "not json":
        copy.write_text('{"hkdoca": {"rol": "teacher"')
    elif broken == "a list":
        copy.write_text(json.dumps([{"hkdoca": {"rol": "teacher", "cursus": "groep-a"}}]))
    elif broken == "a folder":
        copy.mkdir()
    for path in (WERKPLEK, WERKPLEK + "voortgang", GRADING):
        page = get("hkdoca", path)
        assert page.status_code == 503, (path, page.status_code)
        assert PEOPLE_UNREADABLE in page.text and "Traceback" not in page.text
        assert "Anna de Wit" not in page.text and "Bert Jansen" not in page.text
