"""Plain http (port 80) sends browsers on to https: a small listener that `hub start` runs next to
a hub with TLS (`--http-redirect-port`, default 80; 0: none). It answers every request with a 301
to the same host and path on the hub's https address, with no content, and never serves a page,
a cookie or HSTS (browsers ignore HSTS over http; the hub sends it over https, see
hub/jupyterhub_config.py). It binds its port as root and then runs as a system user of its own
(`leerplein-http`, made when missing, no home, no shell): not `nobody`, which Peiling and the
leerkring run as and which owns their data (every poll answer, every leerkring post), so a hole in
this listener, the one part that faces the internet without TLS, is no way into them. It is
started in the hub's control group, so `hub stop` ends it with the hub's other processes.

The host is taken from the request only when it is the hub's own host or one of its subdomains
(a user's server, a service) in plain ASCII; any other Host header goes to the hub's own address,
so the listener is no open redirect.

It faces the internet, so one address may hold at most PER_ADDRESS connections at a time (more are
closed at once: a slowloris from one machine cannot use up the listener's file descriptors), and a
request must arrive within TIMEOUT seconds."""

from __future__ import annotations

import argparse
import os
import pwd
from collections import Counter
from urllib.parse import urlsplit

RUN_AS = "leerplein-http"
# A class behind one NAT address: each browser may hold a preconnected idle socket for up to
# TIMEOUT seconds besides its request, so 30 arriving at once need about 60; one address with
# more is a flood. The process's file limit (1024 or more) then needs many addresses to fill.
PER_ADDRESS = 64
TIMEOUT = 10


def redirect_target(public_url: str, host_header: str, uri: str) -> str:
    """Where a plain-http request for `host_header` + `uri` goes: the same host (when it is the
    hub's or below it) and path, on the scheme and port of the public https address."""
    public = urlsplit(public_url)
    domain = (public.hostname or "").lower()
    asked = (host_header or "").strip().lower()
    asked = asked.rsplit(":", 1)[0] if asked.count(":") == 1 else asked  # drop a port (not an IPv6 address)
    asked = asked.rstrip(".")
    ours = asked == domain or (asked.endswith("." + domain) and all(
        part and len(part) <= 63 and all(c.isascii() and (c.isalnum() or c == "-") for c in part)
        for part in asked[:-len(domain) - 1].split(".")))
    host = asked if ours else domain
    port = f":{public.port}" if public.port and public.port != 443 else ""
    path = uri if uri.startswith("/") and not uri.startswith("//") else "/"
    return f"https://{host}{port}{path}"


def make_app(public_url: str):
    import tornado.web

    class Redirect(tornado.web.RequestHandler):
        def prepare(self):
            self.clear_header("Content-Type")
            self.clear_header("Server")
            self.set_header("Cache-Control", "no-store")  # a move to another address may follow
            self.set_status(301)
            self.set_header("Location", redirect_target(public_url, self.request.host, self.request.uri))
            self.finish()

        def check_xsrf_cookie(self):  # nothing is ever done here but redirecting
            pass

    return tornado.web.Application([(r".*", Redirect)], xheaders=False)


def make_server(app, per_address: int = PER_ADDRESS):
    """tornado's HTTPServer, refusing an address's connections beyond `per_address` at a time."""
    import tornado.httpserver

    class PerAddressServer(tornado.httpserver.HTTPServer):
        def initialize(self, *args, **kwargs):
            super().initialize(*args, **kwargs)
            self.open_per_address: Counter = Counter()
            self.address_of: dict = {}

        def handle_stream(self, stream, address):
            ip = address[0] if isinstance(address, tuple) else str(address)
            if self.open_per_address[ip] >= per_address:
                stream.close()
                return
            self.open_per_address[ip] += 1
            self.address_of[stream] = ip
            super().handle_stream(stream, address)

        def on_close(self, server_conn):
            ip = self.address_of.pop(getattr(server_conn, "stream", None), None)
            if ip is not None:
                self.open_per_address[ip] -= 1
                if self.open_per_address[ip] <= 0:
                    del self.open_per_address[ip]
            super().on_close(server_conn)

    return PerAddressServer(app, no_keep_alive=True, idle_connection_timeout=TIMEOUT, body_timeout=TIMEOUT,
                            max_body_size=64 * 1024)


def ensure_user(user: str = RUN_AS) -> None:
    """The listener's own system user (root only; nothing to do when it exists)."""
    import subprocess

    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "--user-group", user], check=True, capture_output=True)


def drop_privileges(user: str = RUN_AS) -> None:
    if os.geteuid() != 0:
        return
    ensure_user(user)
    entry = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def main(argv: list[str] | None = None) -> None:
    import tornado.ioloop
    import tornado.netutil

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--public-url", required=True)
    args = parser.parse_args(argv)
    sockets = tornado.netutil.bind_sockets(args.port, address=args.ip)
    drop_privileges()
    server = make_server(make_app(args.public_url))
    server.add_sockets(sockets)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
