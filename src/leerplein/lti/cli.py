"""`leerplein lti ...` (thin layer over leerplein.lti). Run as root on the hub's machine."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)
StateDir = typer.Option(None, "--state-dir", help="the hub's state folder; default <repo>/hub/state")


def _state(state_dir: Path | None) -> Path:
    from leerplein.hub.cli import _state as hub_state

    return hub_state(state_dir)


def _config(state: Path):
    from leerplein.lti.config import LtiError, load

    try:
        config = load(state)
    except LtiError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err
    if config is None:
        typer.echo("Inloggen via de leeromgeving staat uit: zet een lti.yml naast het rooster en start de hub "
                   "opnieuw (zie de README, 'Login from the LMS').", err=True)
        raise typer.Exit(2)
    return config


@app.command()
def register(state_dir: Path = StateDir) -> None:
    """Print what to fill in on the LMS side (tool registration)."""
    from leerplein.lti.config import LtiError, tool_urls

    state = _state(state_dir)
    _config(state)
    try:
        for label, value in tool_urls(state).items():
            typer.echo(f"{label}: {value}")
    except LtiError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err
    typer.echo("Diensten: Names and Role Provisioning (ledenlijst) en Assignment and Grade Services (cijfers).")


@app.command()
def members(apply: bool = typer.Option(False, "--apply", help="carry the changes out (without it: only show them)"),
          state_dir: Path = StateDir) -> None:
    """Compare the roster with the members of each LMS course (NRPS); print the changes in Dutch,
    and with --apply carry them out on the running hub."""
    from leerplein.lti import nrps

    state = _state(state_dir)
    config = _config(state)
    found, problems = nrps.fetch_all(state, config)
    for problem in problems:
        typer.echo(f"Let op: {problem}", err=True)
    change = nrps.plan(state, config, found)
    typer.echo(change.dutch())
    if not apply:
        if not change.empty:
            typer.echo("Nog niets veranderd. Doorvoeren: leerplein lti members --apply")
        return
    if not change.empty:
        done = nrps.apply(state, config, change)
        typer.echo(f"Doorgevoerd: {len(done.added)} erbij, {len(done.removed)} eraf, {len(done.changed)} gewijzigd.")


@app.command()
def send(state_dir: Path = StateDir) -> None:
    """Send the scores that wait in the outbox to the LMS (the grading service also retries on its own)."""
    from leerplein.lti.passback import send as send_scores

    state = _state(state_dir)
    result = send_scores(state, _config(state))
    typer.echo(f"Verstuurd: {result['verstuurd']}, nog niet gelukt: {result['mislukt']}, "
               f"vervangen door een nieuwere: {result['vervangen']}.")
    if result["mislukt"]:
        raise typer.Exit(1)


@app.command()
def outbox(state_dir: Path = StateDir) -> None:
    """Show the outbox: what was sent, what still waits and why."""
    from leerplein.lti.outbox import items

    state = _state(state_dir)
    _config(state)
    for item in items(state):
        why = f" ({item.last_error})" if item.status == "wacht" and item.last_error else ""
        typer.echo(f"{item.status:10} {item.username:16} {item.resource:24} {item.given:g}/{item.maximum:g}"
                   f" pogingen {item.attempts}{why}")
