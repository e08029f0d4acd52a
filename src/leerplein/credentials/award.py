"""Award the badge to everyone who passed: issue it, put it in the feedback of the last counted
assignment, release that feedback, and publish the status list and verification page. The
command line and the teacher's workspace both call `award_badges`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from leerplein.course.course import Course


@dataclass
class Award:
    issued: list[tuple[str, Path, str]] = field(default_factory=list)  # student, badge file, assignment
    not_yet: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Dutch, one per student or step
    published: Path | None = None


def award_badges(course: Course, students: set[str] | None = None, ob2: bool = False, who: str = "") -> Award:
    """`students` limits it to a teacher's own cohort. Raises InstituteError while the issuer is
    still the example institute."""
    from nbgrader.api import Gradebook

    from leerplein.course import audit
    from leerplein.course.results.feedback import generate_feedback, release_feedback
    from leerplein.course.results.progress import everyone
    from leerplein.credentials.institute import real_institute
    from leerplein.credentials.issue import BadgeError, export_ob2, issue
    from leerplein.credentials.page import PageError, publish_folder

    real_institute(course.root)
    with Gradebook(course.gradebook_url) as gb:
        emails = {s.id: s.email for s in gb.students}  # None when the roster has no e-mail address
    result = Award()
    for p in everyone(course):
        if students is not None and p.student not in students:
            continue
        if not p.passed:
            result.not_yet.append(p.student)
            continue
        try:
            path = issue(course, p.student, emails.get(p.student))
            if ob2:
                export_ob2(course, p.student, emails.get(p.student))
        except BadgeError as err:
            result.problems.append(f"{p.student}: {err}")
            continue
        last = p.counted[-1].slug  # the badge travels with the feedback of the last counted assignment
        generate_feedback(course, last, [p.student])
        result.issued.append((p.student, path, last))
    for slug in {last for _, _, last in result.issued}:
        release_feedback(course, slug)
    for student, path, last in result.issued:
        audit.record(course, who or "onbekend", "badge", last, [student], path.name)
    if result.issued:
        try:
            result.published = publish_folder(course)
        except PageError as err:
            result.problems.append(str(err))
    return result
