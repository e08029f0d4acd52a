"""JupyterHub as `leerplein hub start` runs it: every user's server and every service on an origin
of its own (`JupyterHub.subdomain_host`), and the hub's pages only on the hub's own origin.

A student controls her own server process, so anything served on `<student>.<domain>` may be her
script. JupyterHub routes by host only what it proxies to a server; every other request on any
host goes to the hub, which would answer `https://bob.hub.example.nl/hub/login` on Bob's origin,
where his script can read the password a classmate types or use the session she starts there.
`LeerpleinHub` answers hub pages on any subdomain of the hub with a redirect to the hub's own
origin instead (`OtherOrigin`). `ServiceRedirect` keeps the old single-origin links
(`/services/peiling/...`) working: the hub sends them on to the service's own origin."""

from __future__ import annotations

import asyncio
import re

from jupyterhub.app import JupyterHub
from jupyterhub.handlers.base import BaseHandler
from jupyterhub.utils import url_path_join
from tornado import web


def subdomain_pattern(domain: str) -> str:
    """Host names below the hub's domain, for tornado's host matching (port left out)."""
    return r".+\." + re.escape(domain.lower().rstrip("."))


class OtherOrigin(web.RequestHandler):
    """A hub page asked on a user's or service's origin: never answer it there."""

    def initialize(self, hub_origin: str):
        self.hub_origin = hub_origin

    def set_default_headers(self):
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        self.set_header("Cache-Control", "no-store")

    def get(self):
        if self.request.path == "/favicon.ico":  # asked by browsers on every origin: not the hub's to answer
            raise web.HTTPError(404)
        self.redirect(self.hub_origin + self.request.uri)

    head = get

    def prepare(self):
        if self.request.method not in ("GET", "HEAD"):
            raise web.HTTPError(404)

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("Deze pagina hoort bij het adres van Leerplein zelf, niet bij dit adres.\n")

    def check_xsrf_cookie(self):  # nothing is ever done here but refusing
        pass


class ServiceRedirect(BaseHandler):
    """`/hub/services/<name>/<path>` (where the proxy sends `/services/...` on the hub's origin)
    to the same path on the service's own origin."""

    def get(self, name: str, rest: str | None):
        service = self.services.get(name)
        if service is None or not service.host:
            raise web.HTTPError(404)
        query = f"?{self.request.query}" if self.request.query else ""
        self.redirect(service.host + service.prefix.rstrip("/") + (rest or "/") + query)


class LeerpleinHub(JupyterHub):
    _service_starts: dict | None = None

    async def start_service(self, service_name, service, ssl_context=None):
        """JupyterHub starts its services one after the other and waits until each answers; ours
        (grading, Peiling, leerkring, the culler) do not need each other, so the first call of the
        start-up loop starts all of them at once and each call then returns its own outcome."""
        if self._service_starts is None:
            self._service_starts = {
                name: asyncio.ensure_future(JupyterHub.start_service(self, name, each, ssl_context))
                for name, each in self._service_map.items()}
        started = self._service_starts.pop(service_name, None)
        if started is None:  # a service added later through the API
            return await super().start_service(service_name, service, ssl_context)
        return await started

    async def cleanup(self):
        """JupyterHub stops its services one after the other; each takes a second or more to end.
        Stopped together first, the hub's own clean-up then finds them gone."""
        managed = [each for each in self._service_map.values() if each.managed]
        if managed:
            self.log.info("Stopping %i services together...", len(managed))
            for failed in await asyncio.gather(*(each.stop() for each in managed), return_exceptions=True):
                if isinstance(failed, BaseException):
                    self.log.error("A service did not stop cleanly: %s", failed)
        await super().cleanup()

    def init_handlers(self):
        super().init_handlers()
        from leerplein.accounts.hub_pages import PasswordPage, gated
        from leerplein.accounts.sessions import API_PATH, EndSessionsAPI

        # the password page, and every hub page sends someone with a start password there first
        self.handlers.insert(0, (url_path_join(self.hub_prefix, "wachtwoord"), PasswordPage))
        # a reset elsewhere (grading service, command line) ends her sessions here
        self.handlers.insert(0, (url_path_join(self.hub_prefix, "api", API_PATH, r"([^/]+)"), EndSessionsAPI))
        self.handlers = gated(self.handlers)
        if self.subdomain_host:
            self.handlers.insert(0, (url_path_join(self.hub_prefix, r"services/([^/]+)(/.*)?"), ServiceRedirect))

    async def init_users(self):
        await super().init_users()
        import json
        import os
        from pathlib import Path

        from leerplein.accounts.sessions import rotate_pending

        settings = os.environ.get("LEERPLEIN_HUB_SETTINGS")
        if settings:  # people reset while the hub was down: their old cookies and tokens end now
            ended = rotate_pending(self.db, Path(json.loads(settings)["state_dir"]))
            if ended:
                self.log.info("Ended the sessions of %s (reset while the hub was down)", ", ".join(ended))

    def init_tornado_application(self):
        super().init_tornado_application()
        if self.subdomain_host:
            origin = self.subdomain_host.rstrip("/")
            self.tornado_application.add_handlers(
                subdomain_pattern(self.domain), [(r".*", OtherOrigin, {"hub_origin": origin})])


main = LeerpleinHub.launch_instance

if __name__ == "__main__":
    main()
