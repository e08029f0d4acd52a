"""The hub's own password page (`/hub/wachtwoord`) and the gate that sends someone with a start
password there from every other hub page. Both run in the hub process (root): a student's own
server never sets or sees a password. The page only ever changes the password of the person
logged in; no name is taken from the request."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyterhub.apihandlers.auth import OAuthAuthorizeHandler
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.handlers.base import BaseHandler
from jupyterhub.handlers.login import LoginHandler, LogoutHandler
from jupyterhub.utils import maybe_future, url_path_join
from tornado import web

from leerplein.accounts import store
from leerplein.accounts.passwords import AccountError, password_ok, quality_problem, set_password
from leerplein.accounts.ratelimit import Tries
from leerplein.service_base import strict_headers

TRIES = Tries()
_start = None


def start_passwords() -> store.StartPasswords:
    global _start
    if _start is None:
        _start = store.StartPasswords(Path(json.loads(os.environ["LEERPLEIN_HUB_SETTINGS"])["state_dir"]))
    return _start


def state_dir() -> Path:
    return start_passwords().state


class PasswordPage(BaseHandler):
    """Kies een nieuw wachtwoord (after a start password) or Wachtwoord wijzigen; both need the
    current password (the start password from the letter); wrong tries are limited per user."""

    def set_default_headers(self):
        super().set_default_headers()
        strict_headers(self, csp=None)  # JupyterHub's page template has its own CSP needs

    async def show(self, error: str = "", done: bool = False, status: int = 200):
        forced = self.current_user.name in start_passwords()
        self.set_status(status)
        self.finish(await self.render_template(
            "wachtwoord.html", forced=forced, error=error, done=done, xsrf=self.xsrf_token.decode("ascii"),
            next_url=self.hub.base_url))

    DONE_COOKIE = "leerplein-wachtwoord-gewijzigd"

    @web.authenticated
    async def get(self):
        # "Je wachtwoord is gewijzigd" once, after the redirect from the POST (a reload shows the form)
        done = (self.get_secure_cookie(self.DONE_COOKIE, max_age_days=1) or b"").decode() == self.current_user.name
        if done:
            self.clear_cookie(self.DONE_COOKIE, path=self.hub.base_url)
        await self.show(done=done)

    @web.authenticated
    async def post(self):
        name = self.current_user.name
        forced = name in start_passwords()
        new, again = self.get_body_argument("nieuw", ""), self.get_body_argument("herhaal", "")
        # Always the current password, also the start password in the forced change: after a reset,
        # a hub session someone else still had must not be enough to choose her next password.
        wait = TRIES.wait(name)
        if wait:
            await self.show(f"Je hebt te vaak een verkeerd huidig wachtwoord ingevuld. Probeer het over "
                            f"{max(1, round(wait / 60))} minuten opnieuw.", status=429)
            return
        current = self.get_body_argument("huidig", "")
        ok = await self.run_in_thread(password_ok, name, current)
        if not ok:
            TRIES.wrong(name)
            self.log.warning("Wrong current password for %s on the password page", name)
            await self.show("Je startwachtwoord klopt niet." if forced else "Je huidige wachtwoord klopt niet.",
                            status=400)
            return
        TRIES.right(name)
        problem = quality_problem(name, new, current)
        if problem is None and new != again:
            problem = "De twee nieuwe wachtwoorden zijn niet hetzelfde. Typ ze nog een keer."
        if problem:
            await self.show(problem, status=400)
            return
        try:
            await self.run_in_thread(set_password, name, new)
        except AccountError as err:
            await self.show(str(err), status=400)
            return
        store.changed(state_dir(), name)
        self.log.info("Password changed by %s", name)
        from leerplein.accounts.sessions import end_sessions

        # every other browser, token and server of hers ends; this browser stays logged in
        await end_sessions(self, self.current_user, keep_this_browser=True)
        self.set_secure_cookie(self.DONE_COOKIE, name, expires_days=None, path=self.hub.base_url, httponly=True,
                               samesite="Strict", secure=self.request.protocol == "https")
        # POST-redirect-GET: her XSRF token changed with her login cookie, so a resent form would fail
        self.redirect(url_path_join(self.hub.base_url, "wachtwoord"), status=303)

    async def run_in_thread(self, func, *args):
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, func, *args)


class ForcedChange:
    """Mixin for every hub page: someone with a start password goes to the password page first."""

    async def prepare(self):
        await maybe_future(super().prepare())
        if self._finished:
            return
        user = self.current_user
        if user is None or getattr(user, "kind", None) != "user" or user.name not in start_passwords():
            return
        if self.request.method in ("GET", "HEAD"):
            self.redirect(url_path_join(self.hub.base_url, "wachtwoord"))
        else:
            raise web.HTTPError(403, "Kies eerst een nieuw wachtwoord.")


EXEMPT = (PasswordPage, LoginHandler, LogoutHandler)


def gated(handlers: list) -> list:
    """The hub's handler list with every page (and the OAuth step that opens a server or service)
    behind the ForcedChange gate; the API, static files, login, logout and the password page stay
    as they are."""
    out = []
    for spec in handlers:
        pattern, cls, *rest = spec
        page = (isinstance(cls, type) and issubclass(cls, BaseHandler) and not issubclass(cls, APIHandler)
                and not issubclass(cls, EXEMPT))
        if page or cls is OAuthAuthorizeHandler:
            cls = type(f"Gated{cls.__name__}", (ForcedChange, cls), {})
        out.append((pattern, cls, *rest))
    return out
