"""`leerplein peiling start`: the live poll without a hub, e.g. on a laptop in a library room."""

from __future__ import annotations

import secrets
import signal
from pathlib import Path

import typer

from leerplein.peiling.state import open_state

app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.command()
def start(port: int = typer.Option(8200, help="port to listen on"),
          host: str = typer.Option("127.0.0.1", help="address to listen on; 0.0.0.0 lets phones in the room join "
                                                     "(put it behind HTTPS on a shared network)"),
          state_dir: Path = typer.Option(Path("peiling-data"), help="where sessions are kept (survives a restart)"),
          public_url: str = typer.Option("", help="the address participants type, e.g. http://192.168.1.20:8200")) -> None:
    """Run Peiling in the foreground; prints the participants' and the facilitator's address."""
    import tornado.ioloop

    from leerplein.peiling.service import make_app

    store, secret = open_state(state_dir.resolve())
    token = secrets.token_urlsafe(18)
    application = make_app(store, cookie_secret=secret, facilitator_token=token, public_url=public_url)
    try:
        application.listen(port, address=host)
    except OSError as err:
        typer.echo(f"Error: cannot listen on {host}:{port} ({err.strerror}). Pick another --port.", err=True)
        raise typer.Exit(2) from err
    base = (public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}").rstrip("/")
    typer.echo(f"Peiling runs. Participants: {base}/\n"
               f"Facilitator (keep this link to yourself): {base}/begeleider/inloggen?sleutel={token}\n"
               f"Sessions are kept in {state_dir.resolve()}. Stop with Ctrl-C.")
    loop = tornado.ioloop.IOLoop.current()
    # Ctrl-C, and SIGTERM from a service manager or `kill`; set explicitly, because a shell that
    # starts a program in the background has it ignore SIGINT
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.asyncio_loop.add_signal_handler(sig, loop.stop)
    loop.start()
    store.close()
    typer.echo("Peiling stopped.")
