"""Ending someone's other sessions when her password changes (issue 27).

A new password is worth little while a browser that knew the old one stays logged in. So after a
reset by a teacher or admin, and after she changes her own password, the hub (`end_sessions`, in
the hub process, root):

- rotates her `cookie_id`: every JupyterHub login cookie of hers stops working at once;
- stops her running servers. A server caches who a token belongs to (HubAuth, up to 5 minutes)
  and her kernels and terminals keep running whatever a browser started in them; revoking the
  server's tokens alone would leave both. Stopping ends all of it now; her next click starts a
  fresh server (her files stay);
- deletes all her API and OAuth tokens (the server's, the services', ones she made herself). The
  services (Peiling, the leerkring, the grading service) ask the hub again within their cache
  time (`service_base.TOKEN_CACHE_SECONDS`, 10 s).

The browser in which she changed her own password gets a new login cookie and stays logged in.

A reset happens in the grading service or on the command line, not in the hub: they ask the hub
over its API (`POST /hub/api/leerplein/sessies-beeindigen/<name>`, scope `admin:users`, with the
root-only admin token), see `end_sessions_on_hub`."""

from __future__ import annotations

import json
from pathlib import Path

from jupyterhub import orm
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import new_token
from tornado import web

API_PATH = "leerplein/sessies-beeindigen"


async def end_sessions(handler, user, keep_this_browser: bool = False) -> None:
    """End every session of `user` (a jupyterhub.user.User); `keep_this_browser`: the browser of
    this request (hers) gets a new login cookie."""
    for name, spawner in list(user.spawners.items()):
        if spawner._stop_pending and spawner._stop_future:
            await spawner._stop_future
        elif spawner.active and not spawner.pending:
            await handler.stop_single_user(user, name)
            if spawner._stop_future:
                await spawner._stop_future
        elif spawner.pending == "spawn":  # a start under way: stop it when it is done
            if spawner._spawn_future:
                try:
                    await spawner._spawn_future
                except Exception:  # noqa: BLE001 - a failed start leaves nothing to stop
                    pass
            if spawner.active:
                await handler.stop_single_user(user, name)
    db = handler.db
    orm_user = user.orm_user
    for token in list(orm_user.api_tokens):
        db.delete(token)
    for code in db.query(orm.OAuthCode).filter(orm.OAuthCode.user_id == orm_user.id):
        db.delete(code)
    orm_user.cookie_id = new_token()
    db.commit()
    handler.log.info("Ended all sessions of %s (new password)", user.name)
    if keep_this_browser:  # a new login cookie (and the XSRF cookie that goes with it)
        handler.set_login_cookie(user)


class EndSessionsAPI(APIHandler):
    """For the grading service and `leerplein hub letters` after a reset."""

    @needs_scope("admin:users")
    async def post(self, user_name: str):
        user = self.find_user(user_name)
        if user is None:
            raise web.HTTPError(404)
        await end_sessions(self, user)
        self.set_status(204)
        self.finish()


def end_sessions_on_hub(state: Path, usernames: list[str], timeout: float = 60) -> list[str]:
    """Ask the running hub of this state folder to end these people's sessions (root: reads the
    admin token, and sends it only to a port root listens on). Returns Dutch problems. When no hub
    answers, they are remembered and ended at the hub's next start (`rotate_pending`): its login
    cookies live 14 days."""
    import requests

    from leerplein.hub.prestart import HUB_URL_FILE

    try:
        base = (Path(state) / HUB_URL_FILE).read_text().strip().rstrip("/")
        token = (Path(state) / "admin-token").read_text().strip()
    except OSError:
        remember(state, usernames)
        return []
    if not hub_listens(base):  # a hub that crashed left its address behind: the token goes to root's hub only
        remember(state, usernames)
        return []
    problems = []
    for name in usernames:
        try:
            answer = requests.post(f"{base}/hub/api/{API_PATH}/{name}", timeout=timeout,
                                   headers={"Authorization": f"token {token}"})
            if answer.status_code not in (204, 404):
                problems.append(f"{name}: de hub kon haar andere sessies niet beëindigen ({answer.status_code}).")
        except requests.RequestException:
            remember(state, [name])
    return problems


def hub_listens(url: str) -> bool:
    """Root's hub (or its proxy) listens at this address on this machine. After a crash the address
    file stays while the port is free, and a student's program that took the port would otherwise
    receive the admin token (as `hub prestart` checks too: prestart.check_listener)."""
    from urllib.parse import urlsplit

    from leerplein.hub.ports import port_listeners

    parts = urlsplit(url)
    return (parts.scheme == "http" and parts.hostname == "127.0.0.1" and bool(parts.port)
            and port_listeners(parts.port) == {0})


PENDING = "sessies-beeindigen.json"


def remember(state: Path, usernames: list[str]) -> None:
    """A reset while the hub is not running: end these sessions when it starts."""
    from leerplein.accounts import store

    target = store.folder(state) / PENDING
    try:
        pending = set(json.loads(target.read_text()))
    except (OSError, ValueError):
        pending = set()
    pending.update(usernames)
    from leerplein.course.course import write_atomic

    write_atomic(target, json.dumps(sorted(pending)))


def take_pending(state: Path) -> list[str]:
    from leerplein.accounts import store

    target = store.folder(state) / PENDING
    try:
        pending = json.loads(target.read_text())
    except (OSError, ValueError):
        return []
    target.unlink(missing_ok=True)
    return [n for n in pending if isinstance(n, str)]


def rotate_pending(db, state: Path) -> list[str]:
    """At hub start, before anyone is served: new cookie_ids and no tokens for the people reset
    while the hub was down (their servers were stopped with the hub: `cleanup_servers`)."""
    done = []
    for name in take_pending(state):
        orm_user = orm.User.find(db, name)
        if orm_user is None:
            continue
        for token in list(orm_user.api_tokens):
            db.delete(token)
        orm_user.cookie_id = new_token()
        done.append(name)
    db.commit()
    return done
