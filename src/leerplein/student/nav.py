"""The one header a student sees everywhere: in her student view and on Peiling and the
leerkring, which are hub services on origins of their own. A service does not know the
student's server address, so it links through the hub's user-redirect, which sends each
logged-in user to her own server (and nobody to anyone else's)."""

from __future__ import annotations

import os


STUDENT_VIEW = "leerplein/"


def url_path_join(*parts: str) -> str:
    """Join URL parts with one slash between them (Jupyter's helper, without importing Jupyter)."""
    out = parts[0]
    for part in parts[1:]:
        out = out.rstrip("/") + "/" + part.lstrip("/")
    return out


def hub_url() -> str:
    """The hub's own address (its origin: with per-user subdomains not the student's)."""
    return os.environ.get("JUPYTERHUB_PUBLIC_HUB_URL") or url_path_join(os.environ.get("JUPYTERHUB_BASE_URL", "/"), "hub/")


def on_hub() -> bool:
    return bool(os.environ.get("JUPYTERHUB_BASE_URL") or os.environ.get("JUPYTERHUB_PUBLIC_HUB_URL"))


def service_header() -> dict:
    """Links for the header of a hub service's pages; {} outside a hub (no student view to go to)."""
    if not on_hub():
        return {}
    mine = url_path_join(hub_url(), "user-redirect", STUDENT_VIEW)
    return {"home": mine, "voortgang": mine + "voortgang", "logout": url_path_join(hub_url(), "logout"),
            "wachtwoord": url_path_join(hub_url(), "wachtwoord")}  # the hub's own page (src/leerplein/accounts)
