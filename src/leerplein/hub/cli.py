"""`leerplein hub ...` commands (thin layer over leerplein.hub)."""

import typer

app = typer.Typer(no_args_is_help=True)
