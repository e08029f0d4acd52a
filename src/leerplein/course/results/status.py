"""`leerplein course status`: where every assignment stands, and every per-student problem."""

from __future__ import annotations

from leerplein.course.prepare.assign import exercise_slugs
from leerplein.course.grading.autograde import load_statuses, submissions
from leerplein.course.course import Course
from leerplein.course.results.feedback import feedback_path, release_messages
from leerplein.course.intake.messages import intake_messages
from leerplein.course.grading.rubric_grades import load_levels


def course_status(course: Course, only: set[str] | None = None) -> list[dict]:
    """`only`: just these students (one cohort)."""
    rows = []
    for slug in exercise_slugs(course.root):
        handed_in = [s for s in submissions(course, slug) if only is None or s in only]
        statuses = {s: st for s, st in load_statuses(course, slug).items() if only is None or s in only}
        rows.append({
            "assignment": slug,
            "submitted": len(handed_in),
            "autograded": sum(1 for s in statuses.values() if s.get("status") == "nagekeken"),
            "failed": sum(1 for s in statuses.values() if s.get("status") == "fout"),
            "rubric_graded": sum(1 for s in handed_in if load_levels(course, slug, s)),
            "feedback": sum(1 for s in handed_in if feedback_path(course, slug, s).exists()),
            "messages": [(s, m) for s, m in _messages(statuses, intake_messages(course, slug))
                         + [(s, m) for s, lines in release_messages(course, slug).items() for m in lines]
                         if only is None or s in only],
        })
    return rows


def _messages(statuses: dict[str, dict], collected: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Autograde's messages include what collect reported; students not graded yet still show
    what collect found."""
    out = [(student, m) for student, st in statuses.items() for m in st.get("messages", [])]
    out += [(student, m) for student, lines in collected.items() if student not in statuses for m in lines]
    return out
