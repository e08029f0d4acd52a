"""What Leerplein's small web services (Peiling, the leerkring) share: strict headers on every
response and the settings every handler reads."""

from __future__ import annotations

from tornado import web

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


class ServiceHandler(web.RequestHandler):
    @property
    def store(self):
        return self.settings["store"]

    @property
    def prefix(self) -> str:
        return self.settings["prefix"]

    def set_default_headers(self):
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")


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
