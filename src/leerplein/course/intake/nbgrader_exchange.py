"""nbgrader's own exchange steps, with the changes that keep students apart. They are selected
in every nbgrader configuration Leerplein writes (`ExchangeFactory`, see course.EXCHANGE_CLASSES)."""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.list import ExchangeList
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import check_directory

from leerplein.course.course import COURSE_ID
from leerplein.course.intake.guard import ExchangeTampered, secure_exchange


class GuardedReleaseAssignment(ExchangeReleaseAssignment):
    """nbgrader's release, except that it keeps the exchange layout of guard.py instead of making
    the exchange root 0777 (which lets a student rename the course folder and plant her own)."""

    def ensure_root(self):
        try:
            secure_exchange(Path(self.root), self.coursedir.course_id or COURSE_ID)
        except ExchangeTampered as err:
            self.fail(str(err))


class EnterableRoot:
    """nbgrader requires every user to be able to write in the exchange root; then a student can
    plant any tree there (a chain of thousands of folders broke `hub backup`). Root makes the
    course folder (guard.py), so the root stays 0755: students only enter it, and write only in
    inbound/."""

    def ensure_root(self):
        if not check_directory(self.root, read=True, execute=True):
            self.fail(f"De inleverplek {self.root} is niet bereikbaar. Vraag je docent om hulp.")


class GuardedFetchAssignment(EnterableRoot, ExchangeFetchAssignment):
    pass


class GuardedFetchFeedback(EnterableRoot, ExchangeFetchFeedback):
    pass


class GuardedList(EnterableRoot, ExchangeList):
    pass


class GuardedCollect(EnterableRoot, ExchangeCollect):
    pass


class GuardedReleaseFeedback(EnterableRoot, ExchangeReleaseFeedback):
    pass


class PrivateSubmit(EnterableRoot, ExchangeSubmit):
    """nbgrader's submit, except that the submission folder stays the student's alone. nbgrader
    makes it 0777 so that a non-root instructor can delete it; then any student who learns its
    name can empty or change it. The grader (root, or the same user locally) still reads it."""

    def copy_files(self):
        super().copy_files()
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o700)
