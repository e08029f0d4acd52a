"""The hub's one public address (`hub start --public-url`), for every link a person follows or
types: Peiling's join link and QR code, launch links from the book, first-login letters, the
start-up message. Links are built here, from this address, never from 127.0.0.1 or from the Host
header of a request (which a client writes)."""

from __future__ import annotations

import os
from pathlib import Path

PUBLIC_URL_FILE = "public-url"  # in the state folder, written by `hub start`


def write_public_url(state: Path, url: str) -> None:
    from leerplein.course.course import write_atomic

    target = Path(state) / PUBLIC_URL_FILE
    if target.is_symlink():
        target.unlink()
    write_atomic(target, url.rstrip("/") + "\n")
    os.chmod(target, 0o644)


def public_url(state: Path) -> str:
    """The address of the hub that runs (or last ran) on this state folder, without a slash at the end."""
    try:
        return (Path(state) / PUBLIC_URL_FILE).read_text(encoding="utf-8").strip().rstrip("/")
    except OSError:
        return ""


def hub_link(base: str, path: str = "") -> str:
    """A page of the hub or a service, on the public address: `hub/login`, `services/peiling/`.
    The hub sends `/services/<name>/...` on to the service's own origin."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def book_links(root: Path) -> dict[str, str]:
    """The hub addresses book/_config.yml gives the book's launch links (empty: no links)."""
    import yaml

    try:
        config = yaml.safe_load((Path(root) / "book" / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    sphinx = ((config.get("sphinx") or {}).get("config") or {})
    return {"launch_buttons.jupyterhub_url": str((config.get("launch_buttons") or {}).get("jupyterhub_url") or ""),
            "sphinx.config.leerplein_hub_url": str(sphinx.get("leerplein_hub_url") or "")}


def book_links_differ(root: Path, url: str) -> list[str]:
    """Launch links in the book that point somewhere other than the hub's public address."""
    return [f"{key} is {value}" for key, value in book_links(root).items()
            if value and value.rstrip("/") != url.rstrip("/")]
