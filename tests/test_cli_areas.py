"""`leerplein` imports an area's module (course, hub, peiling, lti) only when one of its commands
runs, and still lists every command with the same help as when it imported them all."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from conftest import ROOT
from leerplein.cli import AREAS, app, area_command

# as `leerplein --help` listed them when cli.py imported every area at start
TOP_LEVEL = ["build", "check", "start", "dossier", "deelnamebewijs", "course", "hub", "peiling", "lti", "badge"]
AREA_MODULES = {name: where.split(":")[0] for name, (where, _) in AREAS.items()}


WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}


def help_of(*args: str) -> str:
    done = CliRunner().invoke(app, [*args, "--help"], prog_name="leerplein", env=WIDE)
    assert done.exit_code == 0, done.output
    return done.output


def listed(help_text: str) -> list[str]:
    """The command names in the help's Commands panel, in order."""
    panel = help_text.split("Commands", 1)[1] if "Commands" in help_text else ""
    return re.findall(r"^│ (\S+)\s", panel, flags=re.M)


def imported_modules(*args: str) -> set[str]:
    """The leerplein modules a `leerplein ARGS` process has loaded when it ends."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(*sorted(m for m in sys.modules if m.startswith('leerplein')),"
            " file=sys.stderr))\n"
            f"sys.argv = ['leerplein', *{list(args)!r}]\n"
            "from leerplein.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stderr.strip().splitlines()[-1].split())


def test_top_level_help_lists_every_command_in_the_same_order():
    text = help_of()
    assert listed(text) == TOP_LEVEL
    for _, help_line in AREAS.values():
        assert help_line in text


def eager(area: str) -> typer.Typer:
    """A `leerplein` with this one area registered as cli.py did before: imported, add_typer."""
    where, help_line = AREAS[area]
    module, attr = where.split(":")
    top = typer.Typer(add_completion=False)
    top.add_typer(getattr(importlib.import_module(module), attr), name=area, help=help_line)
    top.command("placeholder")(lambda: None)  # two entries: typer makes a group, as in cli.py
    return top


def eager_help(area: str, *args: str) -> str:
    done = CliRunner().invoke(eager(area), [area, *args, "--help"], prog_name="leerplein", env=WIDE)
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("area", list(AREAS))
def test_an_areas_help_is_the_same_as_when_it_was_imported_at_start(area):
    text = help_of(area)
    assert text == eager_help(area)
    assert listed(text) and AREAS[area][1] in text


@pytest.mark.parametrize("area", list(AREAS))
def test_every_sub_command_keeps_its_help(area):
    names = listed(help_of(area))
    assert names == area_command(area).list_commands(None)
    for name in names:
        text = help_of(area, name)
        assert f"leerplein {area} {name}" in text and text == eager_help(area, name)


def test_a_command_loads_only_its_own_area():
    assert not set(AREA_MODULES.values()) & imported_modules("--help")
    assert not set(AREA_MODULES.values()) & imported_modules("build", "--help")
    course = imported_modules("course", "--help")
    assert "leerplein.course.cli" in course
    assert not {"leerplein.hub.cli", "leerplein.peiling.cli", "leerplein.lti.cli"} & course


def test_an_unknown_command_still_gets_a_suggestion():
    done = CliRunner().invoke(app, ["cours"])
    assert done.exit_code != 0 and "course" in done.output
