"""`leerplein dossier` and `leerplein deelnamebewijs`: thin commands over render and attendance."""

from __future__ import annotations

from pathlib import Path

import typer


def dossier(profiel: str = typer.Option(..., "--profiel", help="registerplein of skj"),
            output: Path = typer.Option(Path("dossier"), "-o", "--output", help="map voor dossier.html en dossier.pdf"),
            peiling_db: Path = typer.Option(None, "--peiling-db", exists=True, dir_okay=False,
                                            help="de database van Peiling, voor de uitkomsten van de evaluatie"),
            geen_pdf: bool = typer.Option(False, "--geen-pdf", help="alleen HTML")) -> None:
    """Schrijf het accreditatiedossier (HTML en PDF) voor Registerplein of SKJ, uit de bronbestanden."""
    from leerplein.credentials.institute import InstituteError
    from leerplein.dossier.output import print_pdf, write_html
    from leerplein.dossier.render import PROFILES, Dossier
    from leerplein.paths import layout

    profile = profiel.strip().lower()
    if profile not in PROFILES:
        typer.secho(f"Onbekend profiel '{profiel}'. Kies registerplein of skj.", fg="red", err=True)
        raise typer.Exit(2)
    try:
        built = Dossier(layout().root, profile, peiling_db)
    except InstituteError as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(2) from err
    for problem in built.institute.placeholders():
        typer.secho(f"Let op: {problem} (instituut.yml).", fg="yellow", err=True)
    import sqlite3

    try:
        text = built.html()
    except sqlite3.DatabaseError as err:
        typer.secho(f"{peiling_db} is geen database van Peiling ({err}).", fg="red", err=True)
        raise typer.Exit(2) from err
    page = write_html(text, output / f"dossier-{profile}.html")
    typer.echo(f"HTML: {page}")
    if not geen_pdf:
        typer.echo(f"PDF: {print_pdf(page, output / f'dossier-{profile}.pdf', 'Accreditatiedossier ' + PROFILES[profile])}")


def deelnamebewijs(student: str = typer.Argument(..., help="de gebruikersnaam van de deelnemer"),
                   output: Path = typer.Option(Path("."), "-o", "--output", help="map voor het bewijs"),
                   course_dir: Path = typer.Option(None, "--course-dir", envvar="LEERPLEIN_COURSE_DIR"),
                   exchange: Path = typer.Option(None, "--exchange", envvar="LEERPLEIN_EXCHANGE")) -> None:
    """Schrijf het deelnamebewijs actieleren (intervisie) van een deelnemer, uit de presentielijst."""
    from leerplein.course.cli import _course
    from leerplein.course.results.progress import load_rules
    from leerplein.credentials.institute import load_institute
    from leerplein.dossier.attendance import AttendanceError, certificate, certificate_html
    from leerplein.dossier.output import print_pdf, write_html

    course = _course(course_dir, exchange)
    try:
        cert = certificate(course, student)
    except AttendanceError as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(1) from err
    for entry in cert.unknown:
        typer.secho(f"Let op: '{entry}' in de presentielijst is geen bekende bijeenkomst; niet meegeteld.", fg="yellow", err=True)
    name = load_rules(course.root).badge.get("naam", "Leerplein")
    page = write_html(certificate_html(cert, load_institute(course.root), name), output / f"deelnamebewijs-{student}.html")
    pdf = print_pdf(page, output / f"deelnamebewijs-{student}.pdf", "Deelnamebewijs actieleren")
    typer.echo(f"Deelnamebewijs: {pdf} ({len(cert.attended)} bijeenkomsten, {cert.net_minutes} netto minuten)")
