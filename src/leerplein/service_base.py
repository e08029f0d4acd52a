"""What Leerplein's web surfaces share: strict headers on every response (the student view,
Peiling, the leerkring and the grading service all use `strict_headers`) and the settings every
service handler reads."""

from __future__ import annotations

from tornado import web

# No Leerplein page may be framed, not even by its own origin: a page that frames another can read
# and fill it in whenever the two share an origin (issue 22, hole 1). Nothing of Leerplein frames.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
STRICT_HEADERS = {"X-Frame-Options": "DENY",  # for browsers without CSP frame-ancestors
                  "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer",
                  "Cache-Control": "no-store"}


def strict_headers(handler: web.RequestHandler, csp: str | None = CSP) -> None:
    """Set the headers every Leerplein response carries (`csp=None`: the handler's framework
    sets the same CSP itself, as Jupyter Server does from `content_security_policy`)."""
    if csp:
        handler.set_header("Content-Security-Policy", csp)
    for name, value in STRICT_HEADERS.items():
        handler.set_header(name, value)


class StrictHeaders:
    """Mixin for any tornado handler of a Leerplein service."""

    def set_default_headers(self):
        super().set_default_headers()
        strict_headers(self)


class ServiceHandler(StrictHeaders, web.RequestHandler):
    @property
    def store(self):
        return self.settings["store"]

    @property
    def prefix(self) -> str:
        return self.settings["prefix"]


def private_sqlite(path):
    """A service's SQLite database: created 0600, WAL, foreign keys, deleted rows overwritten."""
    import os
    import sqlite3

    old = os.umask(0o077)
    try:
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    finally:
        os.umask(old)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
        db.execute(f"PRAGMA {pragma}")
    return db
