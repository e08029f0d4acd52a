"""Plain http is sent on to https (`hub start --http-redirect-port`), on a real hub with TLS and a
test certificate, on a free high port instead of 80: a browser typing the http address lands on
the https login page; every request gets a 301 to the same host and path with no content, no
cookie and no HSTS; the https side sends HSTS for the host and its subdomains. The listener runs
as its own system user (not nobody, who owns Peiling's and the leerkring's data) in the hub's
control group and ends with `hub stop`. Probes: a port already taken
refuses the start with a clear message; a foreign Host header is no open redirect.
Users: prefix "qb"."""

from __future__ import annotations

import os
import pwd
import re
import socket
from pathlib import Path

import pytest
import requests

from hub_helpers import hub_start, leerplein, port_for, reachable_base, remove_users
from leerplein.hub import limits
from leerplein.hub.ports import port_listeners
from tls_helpers import make_certificates

STUDENT = "qbtls1"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def redirect_pids(hub_id: str) -> list[int]:
    found = []
    for pid in limits.group_pids(hub_id) | limits.marked_pids(hub_id):
        try:
            if b"leerplein.hub.http_redirect" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "httpredirect")
    files = make_certificates(base / "tls", ["hub.localhost", "*.hub.localhost"])
    roster = base / "roster.csv"
    roster.write_text(f"username,name,role,course\n{STUDENT},Student Q,student,leerplein\n")
    state = base / "state"
    port, plain = port_for(6), port_for(7)
    tls = ["--public-url", f"https://hub.localhost:{port}", "--ssl-cert", str(files["cert"]),
           "--ssl-key", str(files["key"]), "--http-redirect-port", str(plain)]

    # probe: the port is taken by another program: a clear refusal, nothing started
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", plain))
    squatter.listen()
    try:
        refused = hub_start(roster, state, port, *tls)
    finally:
        squatter.close()
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"Port {plain} (plain http, sent on to https) is already in use" in refused.stderr
    assert "--http-redirect-port" in refused.stderr and not port_listeners(port)

    remove_users([STUDENT])
    before = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(files["ca"])
    proc = hub_start(roster, state, port, *tls)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    try:
        yield {"url": url, "state": state, "port": port, "plain": plain, "hub_id": limits.hub_id(state)}
    finally:
        leerplein("hub", "stop", "--state-dir", str(state))
        remove_users([STUDENT])
        if before is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = before


def plain_get(hub, host: str, path: str, method: str = "GET") -> requests.Response:
    return requests.request(method, f"http://127.0.0.1:{hub['plain']}{path}", headers={"Host": host},
                            allow_redirects=False, timeout=10)


def test_a_browser_on_plain_http_lands_on_the_https_login(hub, browser):
    context = browser.new_context(ignore_https_errors=True, locale="nl-NL")  # the test CA is not the browser's
    page = context.new_page()
    page.goto(f"http://hub.localhost:{hub['plain']}/hub/login")
    page.wait_for_load_state("load")
    assert page.url.startswith(f"https://hub.localhost:{hub['port']}/hub/login"), page.url
    assert "Inloggen op Leerplein" in page.content()
    context.close()


def test_every_plain_request_gets_a_bare_301_to_the_same_host_and_path(hub):
    https = f"https://hub.localhost:{hub['port']}"
    for host, path, expected in (
            (f"hub.localhost:{hub['plain']}", "/hub/login?next=%2Fhub%2Fhome", f"{https}/hub/login?next=%2Fhub%2Fhome"),
            (f"{STUDENT}.hub.localhost", f"/user/{STUDENT}/leerplein",
             f"https://{STUDENT}.hub.localhost:{hub['port']}/user/{STUDENT}/leerplein"),
            ("evil.example", "/hub/login", f"{https}/hub/login")):  # no open redirect
        for method in ("GET", "HEAD", "POST"):
            answer = plain_get(hub, host, path, method)
            assert answer.status_code == 301 and answer.headers["Location"] == expected, (method, host, answer.headers)
            assert answer.content == b"" and "Set-Cookie" not in answer.headers
            assert "Strict-Transport-Security" not in answer.headers  # never over http


def test_the_https_side_sends_hsts_for_the_host_and_its_subdomains(hub):
    answer = requests.get(f"{hub['url']}/hub/login", timeout=10)
    assert answer.status_code == 200
    hsts = answer.headers.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts, answer.headers


def test_the_listener_runs_as_its_own_user_in_the_hubs_group_and_ends_with_the_hub(hub):
    pids = redirect_pids(hub["hub_id"])
    assert len(pids) == 1, pids
    uid = int(next(line for line in Path(f"/proc/{pids[0]}/status").read_text().splitlines()
                   if line.startswith("Uid:")).split()[1])
    own = pwd.getpwnam("leerplein-http")
    assert uid == own.pw_uid and uid != pwd.getpwnam("nobody").pw_uid  # not the services' user
    assert own.pw_shell == "/usr/sbin/nologin" and not Path(own.pw_dir).exists()
    if limits.backend():
        assert pids[0] in limits.group_pids(hub["hub_id"])
    stopped = leerplein("hub", "stop", "--state-dir", str(hub["state"]))
    assert "Stopped" in stopped.stdout, stopped.stdout + stopped.stderr
    assert not port_listeners(hub["plain"]) and not redirect_pids(hub["hub_id"])
    with pytest.raises(requests.ConnectionError):
        plain_get(hub, "hub.localhost", "/")
