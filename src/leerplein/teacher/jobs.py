"""Long steps (collect, autograde, release, feedback) run in a process of their own, so the
workspace stays responsive and nbgrader's directory changes never touch the web server. Each job
writes its progress and result to a small JSON file that the page reads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from leerplein.course.course import Course, read_json, write_json

STEPS = ("vrijgeven", "ophalen", "nakijken", "feedback")


def job_file(course: Course, slug: str, cohort: str = "") -> Path:
    """One per assignment and cohort: a teacher sees only her own cohort's results."""
    return course.state / "jobs" / (f"{slug}.{cohort}.json" if cohort else f"{slug}.json")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def current(course: Course, slug: str, cohort: str = "") -> dict | None:
    """The last job of this assignment for this cohort; a job whose process died is reported as stopped."""
    state = read_json(job_file(course, slug, cohort), None)
    if state and state.get("status") == "bezig" and not _alive(int(state.get("pid", 0))):
        state = {**state, "status": "gestopt", "result": {
            "ok": False, "summary": "Deze stap is onderbroken. Start hem opnieuw: wat al klaar was, blijft bewaard.",
            "details": []}}
    return state


AUDIT = {"vrijgeven": "vrijgegeven", "ophalen": "opgehaald", "nakijken": "nagekeken", "feedback": "feedback"}


def busy(course: Course, slug: str) -> bool:
    """Does a step of this assignment run, for any cohort? (They share nbgrader's folders.)"""
    folder = course.state / "jobs"
    files = [folder / f"{slug}.json", *folder.glob(f"{slug}.*.json")] if folder.is_dir() else []
    for path in files:
        cohort = path.name[len(slug) + 1:-len(".json")] if path.name != f"{slug}.json" else ""
        state = current(course, slug, cohort)
        if state and state.get("status") == "bezig":
            return True
    return False


def start(course: Course, step: str, slug: str, students: list[str] = (), who: str = "", cohort: str = "") -> bool:
    """Start a step unless one runs for this assignment; False when one is still busy."""
    if step not in STEPS:
        raise ValueError(step)
    if busy(course, slug):
        return False
    path = job_file(course, slug, cohort)
    write_json(path, {"step": step, "status": "bezig", "done": 0, "total": 0, "pid": 0, "started": time.time()})
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.teacher.jobs", step, slug, *students],
                            env={**os.environ, "LEERPLEIN_COURSE_DIR": str(course.directory), "LEERPLEIN_WHO": who,
                                 "LEERPLEIN_EXCHANGE": str(course.exchange), "LEERPLEIN_ROOT": str(course.root),
                                 "LEERPLEIN_JOB_COHORT": cohort},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    state = read_json(path, {})
    if state.get("status") == "bezig" and not state.get("pid"):
        write_json(path, {**state, "pid": proc.pid})
    return True


def run(course: Course, step: str, slug: str, students: list[str], who: str = "", cohort: str = "") -> None:
    from leerplein.course import audit
    from leerplein.teacher import cycle

    path = job_file(course, slug, cohort)
    state = {"step": step, "status": "bezig", "done": 0, "total": 0, "pid": os.getpid(), "started": time.time()}
    write_json(path, state)

    def progress(_outcome) -> None:
        state["done"] += 1
        write_json(path, state)

    try:
        if step == "vrijgeven":
            result = cycle.release_step(course, slug, [cohort] if cohort else None)
        elif step == "ophalen":
            result = cycle.collect_step(course, slug, students)
        elif step == "nakijken":
            from leerplein.course.grading.autograde import submissions

            state["total"] = len(set(submissions(course, slug)) & set(students))
            write_json(path, state)
            result = cycle.autograde_step(course, slug, students, progress)
        else:
            result = cycle.feedback_step(course, slug, students)
        outcome = asdict(result)
        if result.ok:
            audit.record(course, who or "onbekend", AUDIT[step], slug, students, result.summary, cohort=cohort)
    except Exception as err:  # noqa: BLE001 - the teacher gets a message, not a dead page
        outcome = {"ok": False, "summary": "Er ging iets mis. Probeer het opnieuw; blijft het misgaan, vraag dan de "
                                           "beheerder.", "details": [f"{type(err).__name__}: {err}"[-300:]]}
    write_json(path, {**state, "status": "klaar", "finished": time.time(), "result": outcome})


def main(argv: list[str]) -> None:
    # The hub runs its services with umask 077; the sandbox's unprivileged user must still read
    # its working copy. The course folder itself stays root-only (0700).
    os.umask(0o022)
    course = Course(Path(os.environ["LEERPLEIN_ROOT"]), Path(os.environ["LEERPLEIN_COURSE_DIR"]),
                    Path(os.environ["LEERPLEIN_EXCHANGE"]))
    step, slug, *students = argv
    run(course, step, slug, students, os.environ.get("LEERPLEIN_WHO", ""), os.environ.get("LEERPLEIN_JOB_COHORT", ""))


if __name__ == "__main__":
    main(sys.argv[1:])
