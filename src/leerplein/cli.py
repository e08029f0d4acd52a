"""The `leerplein` command line: argument parsing and printing only.

Each area has its own sub-app module; the logic lives in plain functions. An area's module is
imported only when one of its commands runs: `leerplein build` does not load the hub, and the
test suite starts the CLI hundreds of times.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from leerplein.paths import NotACheckout, layout

# name -> (module:Typer app, the help line `leerplein --help` shows for it)
AREAS = {
    "course": ("leerplein.course.cli:app", "The teacher's nbgrader cycle."),
    "hub": ("leerplein.hub.cli:app", "Run JupyterHub for a training institute."),
    "peiling": ("leerplein.peiling.cli:app", "Peiling: the live poll for group sessions."),
    "lti": ("leerplein.lti.cli:app", "Login from the LMS (LTI 1.3): registration, members, grades."),
}


def area_command(name: str) -> TyperGroup:
    """The area's real command group, built by typer as `app.add_typer` would build it."""
    where, help_text = AREAS[name]
    module, attr = where.split(":")
    holder = typer.Typer(add_completion=False)
    holder.add_typer(getattr(importlib.import_module(module), attr), name=name, help=help_text)
    return typer.main.get_command(holder).commands[name]


class AreasOnDemand(TyperGroup):
    """Lists every area from AREAS (name and help line) without importing it; the area a
    command line names is swapped in for its placeholder just before it runs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loaded: set[str] = set()

    def resolve_command(self, ctx, args):
        if args and args[0] in AREAS and args[0] not in self.loaded:
            self.commands[args[0]] = area_command(args[0])
            self.loaded.add(args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=AreasOnDemand,
    help="Leerplein: build the book, check the curriculum, run the course.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a crash report must not print tokens or passwords
)


@app.command()
def build(
    strict: bool = typer.Option(False, help="Treat Sphinx warnings as errors."),
    all_pages: bool = typer.Option(False, "--all", help="Rebuild every page, not only changed ones."),
    pdf: bool = typer.Option(False, "--pdf", help="Also make the print edition, book/_build/pdf/leerplein.pdf."),
) -> None:
    """Build the Jupyter Book into book/_build/html (executes changed pages only)."""
    from leerplein.book.build import BuildFailed, build_book

    try:
        result = build_book(layout(), strict=strict, all_pages=all_pages)
    except BuildFailed as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1)
    typer.secho(f"Book built in {result.seconds:.1f} s: {result.html_dir / 'index.html'}", fg="green")
    if pdf:
        from leerplein.book.pdf import PdfFailed, build_pdf

        try:
            out = build_pdf(layout(), progress=lambda line: typer.echo(line, err=True))
        except (BuildFailed, PdfFailed) as exc:
            typer.secho(f"The print edition failed: {exc}", fg="red", err=True)
            raise typer.Exit(1)
        typer.secho(f"Print edition: {out}", fg="green")


@app.command()
def check(
    readability: bool = typer.Option(False, "--readability", help="Also print the readability table per page."),
) -> None:
    """Check the curriculum rules; prints file:line messages, exit code 1 on errors."""
    from leerplein.book.check import check_repository, format_findings

    lay = layout()
    findings = check_repository(lay.root)
    if readability:
        from leerplein.book.readability import readability_table

        typer.echo(readability_table(lay.root))
    typer.echo(format_findings(findings, lay.root))
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


@app.command()
def start(
    port: int = typer.Option(8888, help="Port for the student view (or JupyterLab with --lab)."),
    book_port: int = typer.Option(8000, help="Port for the built book."),
    no_build: bool = typer.Option(False, help="Do not rebuild the book first."),
    lab: bool = typer.Option(False, "--lab", help="JupyterLab with the course folder, for teachers and authors."),
    home: Path = typer.Option(None, help="Folder for the learner's notes and logbook (default: your home)."),
) -> None:
    """Build what is stale, serve the book and start the student view (or JupyterLab) on 127.0.0.1."""
    from leerplein.start import run_local_course

    raise typer.Exit(run_local_course(layout(), lab_port=port, book_port=book_port, build=not no_build, lab=lab,
                                      home=home))


badge_app = typer.Typer(no_args_is_help=True, help="Controleer een Leerplein-badge.")


@badge_app.command("verify")
def badge_verify(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="de badge (PNG)"),
                 public_key: Path = typer.Option(..., "--public-key", exists=True,
                                                 help="de openbare sleutel van het instituut (issuer-public.pem)"),
                 status_list: Path = typer.Option(None, "--status-list", exists=True,
                                                  help="de intrekkingslijst van het instituut (status.json)"),
                 email: str = typer.Option(None, "--email", help="het e-mailadres dat de houder opgeeft")) -> None:
    """Controleer een badge zonder internet: handtekening, einddatum, intrekking en houder."""
    from leerplein.credentials.verify import verify_file

    verdict = verify_file(file, public_key.read_bytes(), status_list.read_bytes() if status_list else None, email)
    for line in verdict.lines:
        typer.echo(line)
    raise typer.Exit(0 if verdict.ok else 1)


@badge_app.command("verify-page")
def badge_verify_page(output: Path = typer.Option(..., "-o", "--output", help="map voor de controlepagina"),
                      public_key: Path = typer.Option(..., "--public-key", exists=True,
                                                      help="de openbare sleutel van het instituut (issuer-public.pem)")) -> None:
    """Schrijf de controlepagina die je naast status.json publiceert (statisch; de controle gebeurt in de browser)."""
    from leerplein.credentials.institute import InstituteError
    from leerplein.credentials.page import PageError, write_verify_page

    try:
        page = write_verify_page(layout().root, public_key.read_bytes(), output)
    except (InstituteError, PageError) as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(2) from err
    typer.echo(f"Controlepagina geschreven: {page}")


def _register_subapps() -> None:
    for name, (_, help_text) in AREAS.items():  # placeholders, in this order; AreasOnDemand loads the real one
        app.add_typer(typer.Typer(), name=name, help=help_text)
    app.add_typer(badge_app, name="badge", help="Controleer een Leerplein-badge.")
    from leerplein.dossier.cli import deelnamebewijs, dossier

    app.command("dossier")(dossier)
    app.command("deelnamebewijs")(deelnamebewijs)


_register_subapps()


def main() -> None:
    try:
        app()
    except NotACheckout as exc:
        typer.secho(str(exc), fg="red", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
