"""A real hub serving HTTPS with a certificate made in the test (`hub.localhost`, `*.hub.localhost`,
signed by a test CA that only this test trusts): login, a student's server and Peiling all on
https, Peiling's projector shows (and its QR code encodes) the public address, and plain http to
the TLS port gets no page."""

from __future__ import annotations

import html
import os
import re
import socket

import pytest
import requests

from hub_helpers import (login, port_for, reachable_base, server_token, service_url, start_course_hub,
                         stop_course_hub, user_url)
from tls_helpers import make_certificates

STUDENT, TEACHER = "hsanna", "hsdocent"
PLAN = "03-ontmoeting-het-gesprek"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "tlshub")
    # a name with a dot: browsers and OpenSSL accept no wildcard for *.localhost itself
    files = make_certificates(base / "tls", ["hub.localhost", "*.hub.localhost"])
    port = port_for(11)
    before = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(files["ca"])  # requests trusts the test CA, and only here
    try:
        hub = start_course_hub(base, [TEACHER], [STUDENT], port, "--public-url", f"https://hub.localhost:{port}",
                               "--ssl-cert", str(files["cert"]), "--ssl-key", str(files["key"]),
                               # not the default 80: tests run side by side (the redirect: test_http_redirect_hub.py)
                               "--http-redirect-port", str(port_for(12)))
        hub.update(port=port, tls=files)
        yield hub
        stop_course_hub(hub)
    finally:
        if before is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = before


def test_the_hub_and_a_students_server_answer_on_https(hub):
    assert hub["url"] == f"https://hub.localhost:{hub['port']}"
    page = requests.get(f"{hub['url']}/hub/login", timeout=10)
    assert page.status_code == 200 and "Inloggen op Leerplein" in page.text
    # the hub's cookies carry the __Host- prefix (only possible on https)
    student = login(hub, STUDENT)
    assert any(c.name.startswith("__Host-") for c in student.cookies), [c.name for c in student.cookies]
    headers = server_token(hub, STUDENT)
    view = requests.get(f"{user_url(hub, STUDENT)}/leerplein", headers=headers, timeout=30)
    assert view.status_code == 200 and view.url.startswith(f"https://{STUDENT}.hub.localhost:{hub['port']}/"), view.url
    assert "Mijn opdrachten" in view.text


def test_a_client_that_does_not_trust_the_certificate_is_stopped(hub):
    import certifi

    with pytest.raises(requests.exceptions.SSLError):  # trusting only the public CAs, not the test CA
        requests.get(f"{hub['url']}/hub/login", timeout=10, verify=certifi.where())


def test_plain_http_to_the_tls_port_gets_no_page(hub):
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://hub.localhost:{hub['port']}/hub/login", timeout=10)
    # at the socket: a plain request is answered with no HTTP at all
    with socket.create_connection(("127.0.0.1", hub["port"]), timeout=10) as raw:
        raw.sendall(b"GET /hub/login HTTP/1.1\r\nHost: hub.localhost\r\n\r\n")
        try:
            answer = raw.recv(4096)
        except ConnectionResetError:
            answer = b""
    assert b"Inloggen" not in answer and not answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_peilings_projector_shows_and_encodes_the_public_address(hub):
    from leerplein.peiling.service import qr_data_uri

    teacher = login(hub, TEACHER)
    home = teacher.get(f"{service_url(hub, 'peiling')}/begeleider", timeout=30)
    assert home.status_code == 200 and "Peiling voor de begeleider" in home.text, home.text[:300]
    made = teacher.post(f"{service_url(hub, 'peiling')}/begeleider",
                        data={"plan": PLAN, "_xsrf": teacher.cookies.get("_xsrf", path="/services/peiling/")})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    screen = teacher.get(f"{service_url(hub, 'peiling')}/scherm/{code}", timeout=30)
    assert screen.status_code == 200
    join = f"https://hub.localhost:{hub['port']}/services/peiling/"
    assert f"Doe mee op <strong>{join}</strong>" in screen.text
    assert "127.0.0.1" not in screen.text and "peiling--service" not in screen.text
    qr = html.unescape(re.search(r'<img class="qr" src="([^"]+)"', screen.text).group(1))
    assert qr == qr_data_uri(f"{join}?code={code}")  # the QR code encodes exactly that address

    # a phone in the room follows it, without an account, and lands on the poll over https
    guest = requests.Session()
    joined = guest.get(f"{join}?code={code}", timeout=30)
    assert joined.status_code == 200 and joined.url.startswith("https://peiling--service.hub.localhost:"), joined.url
    assert code in joined.text or "Doe mee" in joined.text


def test_prestart_reaches_the_hub_behind_tls(hub):
    """`hub prestart` (and `hub roster`) talk to the hub on 127.0.0.1 with the admin token: with TLS
    on the proxy they use the hub's own port, still only one that root listens on."""
    from hub_helpers import leerplein

    assert (hub["state"] / "hub-url").read_text() == f"http://127.0.0.1:{hub['port'] + 1}/"
    done = leerplein("hub", "prestart", "--state-dir", str(hub["state"]))
    assert done.returncode == 0 and "1 of 1 servers ready" in done.stdout, done.stdout + done.stderr
