"""The course cycle as steps a teacher takes, each with a Dutch result to show on her page."""

from __future__ import annotations

from dataclasses import dataclass, field

from leerplein.course.course import Course


@dataclass
class StepResult:
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)


@dataclass
class AssignmentState:
    slug: str
    titel: str
    released: bool
    handed_in: int
    autograded: int
    to_grade: list[str]  # autograded, reflections not all graded
    graded: list[str]  # fully graded
    feedback: int  # feedback written
    problems: list[tuple[str, str]]
    release: dict = field(default_factory=dict)  # her cohort's entry of the release record


def assignment_state(course: Course, slug: str, students: list[str], cohort: str | None = None) -> AssignmentState:
    """Where `slug` stands for these students; `cohort`: released to that cohort (else: to anyone)."""
    from leerplein.course.prepare.assign import load_exercise
    from leerplein.course.grading.autograde import load_statuses, submissions
    from leerplein.course.results.feedback import feedback_path
    from leerplein.course.intake.messages import intake_messages
    from leerplein.course.results.progress import feedback_ready
    from leerplein.course.prepare.release import is_released
    from leerplein.course.prepare.releases import cohorts_released, released_to

    mine = set(students)
    handed_in = [s for s in submissions(course, slug) if s in mine]
    statuses = {s: st for s, st in load_statuses(course, slug).items() if s in mine}
    autograded = [s for s, st in statuses.items() if st.get("status") == "nagekeken"]
    graded, to_grade = feedback_ready(course, slug, autograded)
    problems = [(s, m) for s, st in statuses.items() for m in st.get("messages", [])]
    problems += [(s, m) for s, lines in intake_messages(course, slug).items()
                 if s in mine and s not in statuses for m in lines]
    released = released_to(course.exchange, slug, cohort) if cohort else is_released(course, slug)
    return AssignmentState(slug, load_exercise(course.root, slug).data["titel"], released,
                           len(handed_in), len(autograded), to_grade, graded,
                           sum(1 for s in handed_in if feedback_path(course, slug, s).exists()), problems,
                           cohorts_released(course.exchange, slug).get(cohort or "", {}))


def overview(course: Course, students: list[str], cohort: str | None = None) -> list[AssignmentState]:
    from leerplein.course.prepare.assign import exercise_slugs

    return [assignment_state(course, slug, students, cohort) for slug in exercise_slugs(course.root)]


def release_step(course: Course, slug: str, cohorts: list[str] | None = None) -> StepResult:
    from leerplein.course.prepare.release import release

    result = release(course, slug, cohorts)
    return StepResult(result.ok, result.message)


def collect_step(course: Course, slug: str, students: list[str]) -> StepResult:
    """Collects the assignment (cohorts share one course); reports only her own students."""
    from leerplein.course.intake.collect import collect

    try:
        result = collect(course, slug)
    except RuntimeError as err:
        return StepResult(False, "Ophalen is niet gelukt. Probeer het opnieuw; blijft het misgaan, vraag dan de "
                                 "beheerder.", [str(err)[-300:]])
    mine = set(students)
    details = [f"{student}: {line}" for student, lines in sorted(result.messages.items()) if student in mine
               for line in lines]
    refused = len(mine & set(result.not_released))
    extra = f" {refused} niet opgehaald: niet vrijgegeven voor hun groep (het werk blijft bewaard)." if refused else ""
    return StepResult(True, f"{len(mine & set(result.staged))} inleveringen opgehaald.{extra}", details)


def autograde_step(course: Course, slug: str, students: list[str], progress=None) -> StepResult:
    from leerplein.course.grading.autograde import autograde, submissions
    from leerplein.course.grading.sandbox import SandboxUnavailable

    chosen = [s for s in submissions(course, slug) if s in set(students)]
    if not chosen:
        return StepResult(True, "Er is nog niets opgehaald om na te kijken.")
    try:
        outcomes = autograde(course, slug, chosen, progress=progress)
    except SandboxUnavailable as err:
        return StepResult(False, "Nakijken kan op deze machine niet veilig: vraag de beheerder.", [str(err)])
    failed = [o for o in outcomes if o.status != "nagekeken"]
    details = [f"{o.student}: {m}" for o in outcomes for m in o.messages]
    return StepResult(not failed, f"{len(outcomes) - len(failed)} nagekeken, {len(failed)} met een probleem.", details)


def feedback_step(course: Course, slug: str, students: list[str]) -> StepResult:
    """Feedback for the given students whose work is fully graded; the rest is listed, not sent."""
    from leerplein.course.grading.autograde import load_statuses
    from leerplein.course.results.feedback import generate_feedback, release_feedback
    from leerplein.course.results.progress import feedback_ready

    statuses = load_statuses(course, slug)
    autograded = [s for s in students if statuses.get(s, {}).get("status") == "nagekeken"]
    ready, waiting = feedback_ready(course, slug, autograded)
    if not ready:
        return StepResult(False, "Er is nog geen volledig beoordeeld werk: er is geen feedback vrijgegeven.",
                          [f"Nog beoordelen: {', '.join(waiting)}"] if waiting else [])
    generate_feedback(course, slug, ready)
    released = release_feedback(course, slug, set(students))
    details = [f"Nog niet: {', '.join(waiting)} (eerst alle reflecties beoordelen)"] if waiting else []
    details += [f"{student}: {reason}" for student, reason in sorted(released.skipped.items())]
    return StepResult(True, f"Feedback vrijgegeven voor {len(released.released)} studenten.", details)
