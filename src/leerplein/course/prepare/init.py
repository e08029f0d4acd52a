"""`leerplein course init`: the course directory, its nbgrader_config.py, the gradebook with the
assignments from exercises/ and the students from the roster."""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.api import Gradebook

from leerplein.course.course import (CODE_STUB, CONFIG_TEMPLATE, COURSE_ID, TEXT_STUB, Course, CourseError,
                                     exchange_factory_config, write_atomic)
from leerplein.course.intake.guard import secure_exchange
from leerplein.course.prepare.assign import exercise_slugs, write_source
from leerplein.roster import read_roster


def init_course(course: Course, roster: Path | None = None) -> list[str]:
    """Create the course directory, its nbgrader_config.py, the gradebook with the assignments
    from exercises/ and the students from the roster. Safe to run again."""
    course.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(course.directory, 0o700)  # submissions and the gradebook: the teacher's eyes only
    secure_exchange(course.exchange)  # root-only root, root-made course folder (see guard.py)
    write_atomic(course.config_file, CONFIG_TEMPLATE.format(
        root=str(course.directory), course_id=COURSE_ID, db=course.gradebook_url, exchange=str(course.exchange),
        text_stub=TEXT_STUB, code_stub=CODE_STUB, factory=exchange_factory_config()))
    done = []
    for slug in exercise_slugs(course.root):
        write_source(course.root, course.directory, slug)
        done.append(slug)
    people = read_roster(roster) if roster else []
    if os.environ.get("LEERPLEIN_UID_SCHEME") == "hash":
        from leerplein.identity import hashed_uid_collisions

        clashes = hashed_uid_collisions([p.username for p in people])
        if clashes:
            raise CourseError("These users would share a uid on Kubernetes, so their files could not be told apart: "
                              + ", ".join(f"{a} and {b}" for a, b in clashes) + ". Rename one of each pair.")
    if roster:
        from leerplein.course.cohorts import people_from_roster, write_people_copy

        write_people_copy(course, people_from_roster(people))  # who is in which cohort, for root-side checks
    with Gradebook(course.gradebook_url, course_id=COURSE_ID) as gb:
        for slug in done:
            gb.update_or_create_assignment(slug)
        for person in people:
            if person.role == "student":
                first, _, last = person.name.partition(" ")
                gb.update_or_create_student(person.username, first_name=first, last_name=last, email=person.email,
                                            lms_user_id=person.student_number)
    return done
