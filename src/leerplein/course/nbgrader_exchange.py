"""nbgrader's own exchange steps, with two changes that keep students apart. They are selected
in every nbgrader configuration Leerplein writes (`ExchangeFactory`, see course.py)."""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit

from leerplein.course.course import COURSE_ID
from leerplein.course.guard import ExchangeTampered, secure_exchange


class GuardedReleaseAssignment(ExchangeReleaseAssignment):
    """nbgrader's release, except that it keeps the exchange layout of guard.py instead of making
    the exchange root 0777 (which lets a student rename the course folder and plant her own)."""

    def ensure_root(self):
        try:
            secure_exchange(Path(self.root), self.coursedir.course_id or COURSE_ID)
        except ExchangeTampered as err:
            self.fail(str(err))


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit, except that the submission folder stays the student's alone. nbgrader
    makes it 0777 so that a non-root instructor can delete it; then any student who learns its
    name can empty or change it. The grader (root, or the same user locally) still reads it."""

    def copy_files(self):
        super().copy_files()
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o700)
