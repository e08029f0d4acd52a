"""nbgrader sped up without changing what it checks or stores (course/nbgrader_fixes.py): the
gradebook keeps one engine per process, and the cell-metadata schema still refuses bad cells."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jsonschema
import pytest
from nbformat.v4 import new_code_cell

from leerplein.course import nbgrader_fixes


def test_gradebooks_share_one_engine_per_process_and_not_across_a_fork(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")  # nbgrader calls `alembic`
    nbgrader_fixes.apply()
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first:
        first.add_student("ana", first_name="Ana")
        engine = first.engine
    with Gradebook(url) as second:  # the closed one's engine, still working
        assert second.engine is engine and second.find_student("ana").first_name == "Ana"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a grading worker: its own engine, never the parent's connections
        with Gradebook(url) as child:
            os.write(write, b"own" if child.engine is not engine and child.find_student("ana") else b"shared")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 10) == b"own"


def test_the_cell_metadata_schema_still_refuses_what_nbgrader_refuses():
    nbgrader_fixes.apply()
    from nbgrader.nbgraderformat import ValidationError, write  # noqa: F401 - the format nbgrader uses
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    validator = MetadataValidatorV3()
    good = new_code_cell("x = 1", metadata={"nbgrader": {
        "schema_version": 3, "grade": True, "solution": False, "locked": True, "grade_id": "a", "points": 1,
        "task": False}})
    validator.validate_cell(good)
    validator.validate_cell(good)  # the second time from the kept validator
    for bad in ({"points": "veel"}, {"grade": "ja"}, {"grade_id": 7}):
        cell = new_code_cell("x = 1", metadata={"nbgrader": {**good.metadata["nbgrader"], **bad}})
        with pytest.raises(jsonschema.ValidationError):
            validator.validate_cell(cell)
