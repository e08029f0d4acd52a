"""What hub/kubernetes/README.md ("Cohorts: what is the same ... and what is not") says about
cohorts on Kubernetes, checked against the shipped manifests and the code that reads them: with
the grading pod's own environment a teacher has no cohort (the Werkplek refuses her), while
collect does find each student's cohort in the course's copy of the roster."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import ROOT
from leerplein.course.cohorts import cohort_of, load_people, write_people_copy
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


def as_grading_pod(monkeypatch, course_dir: Path) -> Course:
    env = grading_env()
    for name in ("LEERPLEIN_PEOPLE_FILE", "LEERPLEIN_PEOPLE", "LEERPLEIN_COHORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Course(ROOT, course_dir, course_dir.parent / "exchange")


def test_the_readme_says_what_the_grading_pod_lacks():
    env = grading_env()
    readme = (KUBE / "README.md").read_text(encoding="utf-8")
    assert README_TABLE in readme
    # when someone gives the grading pod the roster, the README's table must change with it
    assert "LEERPLEIN_PEOPLE_FILE" not in env, "grading.yaml now sets LEERPLEIN_PEOPLE_FILE: update the README table"
    assert "`grading.yaml` sets no `LEERPLEIN_PEOPLE_FILE`" in readme


def test_with_the_grading_pods_environment_no_teacher_has_a_cohort(monkeypatch, tmp_path):
    course = as_grading_pod(monkeypatch, tmp_path / "course")
    write_people_copy(course, PEOPLE)  # `course init --roster` in the grading pod
    scope = scope_for("hyteacher", teacher_people())
    assert scope.cohorts == () and not scope.allows("hystudent") and not scope.allows("hyother")


def test_collect_finds_the_cohort_in_the_courses_copy(monkeypatch, tmp_path):
    course = as_grading_pod(monkeypatch, tmp_path / "course")
    assert cohort_of(load_people(course), "hystudent") == "leerplein"  # no copy yet: the one default cohort
    write_people_copy(course, PEOPLE)
    people = load_people(course)
    assert cohort_of(people, "hystudent") == "groep-a" and cohort_of(people, "hyother") == "groep-b"


def test_no_student_server_is_told_her_cohort():
    values = yaml.safe_load((KUBE / "values.yaml").read_text())
    single = values["singleuser"]
    envs = [single.get("extraEnv", {})] + [p.get("kubespawner_override", {}).get("environment", {})
                                            for p in single["profileList"]]
    assert all("LEERPLEIN_COHORT" not in env for env in envs)
    assert "KubeSpawner sets no `LEERPLEIN_COHORT`" in (KUBE / "README.md").read_text(encoding="utf-8")
