"""`leerplein course ...` commands (thin layer over leerplein.course)."""

import typer

app = typer.Typer(no_args_is_help=True)
