"""A fix for nbgrader 0.9.6 under SQLAlchemy 2: the cause of the SAWarnings that flooded the
teacher's terminal during autograde ("Object of type <SubmittedAssignment> not in session, add
operation along 'Assignment.submissions' will not proceed"), not a filter that hides them.

nbgrader's `Gradebook.add_submission` builds a new submission linked to stored objects and then
reads `submission.assignment.notebooks`; that read autoflushes the session while the new objects
are not in it yet (SQLAlchemy 2 no longer adds them through the back-references). The objects are
added and committed right after, so nothing is lost; only the warnings are wrong. Here the same
function builds the object graph with autoflush off, as SQLAlchemy's own warning advises, and is
otherwise nbgrader's code unchanged. Applied wherever Leerplein opens nbgrader (`Course.api`).

Two more, for speed only (autograde opens the gradebook about ten times per submission): one
SQLAlchemy engine per database and process instead of a new one per `Gradebook` (so SQLAlchemy's
statement cache, which lives in the engine, is kept: compiling the same queries again was a
quarter of the grading time), and nbgrader's fixed cell-metadata schema checked once, not before
every cell. What is stored and how it is validated do not change."""

from __future__ import annotations

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from nbgrader import api, utils
    from sqlalchemy.exc import IntegrityError, StatementError
    from sqlalchemy.orm.exc import FlushError

    def add_submission(self, assignment, student, **kwargs):
        if "timestamp" in kwargs:
            kwargs["timestamp"] = utils.parse_utc(kwargs["timestamp"])
        try:
            with self.db.no_autoflush:
                submission = api.SubmittedAssignment(assignment=self.find_assignment(assignment),
                                                     student=self.find_student(student), **kwargs)
                for notebook in submission.assignment.notebooks:
                    nb = api.SubmittedNotebook(notebook=notebook, assignment=submission)
                    for grade_cell in notebook.grade_cells:
                        api.Grade(cell_id=grade_cell.id, notebook=nb)
                    for solution_cell in notebook.solution_cells:
                        api.Comment(cell_id=solution_cell.id, notebook=nb)
                    for task_cell in notebook.task_cells:
                        api.Comment(cell_id=task_cell.id, notebook=nb)
                        api.Grade(cell_id=task_cell.id, notebook=nb)
                self.db.add(submission)
            self.db.commit()
        except (IntegrityError, FlushError, StatementError) as e:
            api.app_log.exception("Rolling back session due to database error %s" % e)
            self.db.rollback()
            raise api.InvalidEntry(*e.args)
        return submission

    api.Gradebook.add_submission = add_submission
    api.create_engine = _engine_per_process(api.create_engine)
    from nbgrader.nbgraderformat import common

    common.jsonschema = _SchemaCheckedOnce(common.jsonschema)
    _applied = True


def _engine_per_process(create_engine):
    import os

    engines = {}

    def shared_engine(url, **kwargs):
        key = (os.getpid(), str(url), tuple(sorted(kwargs.items())))  # never an engine from before a fork
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]  # Gradebook.close() disposes its pool; the next use opens a new connection

    return shared_engine


class _SchemaCheckedOnce:
    """`jsonschema` as nbgrader's format module uses it, with `validate` reusing one validator
    per schema (jsonschema.validate checks the schema itself on every call)."""

    def __init__(self, module):
        self._module, self._validators = module, {}

    def validate(self, instance, schema):
        validator = self._validators.get(id(schema))
        if validator is None or validator.schema is not schema:
            cls = self._module.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[id(schema)] = cls(schema)
        validator.validate(instance)

    def __getattr__(self, name):
        return getattr(self._module, name)
