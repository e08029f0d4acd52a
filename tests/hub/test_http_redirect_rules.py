"""Where the plain-http listener sends a request (src/leerplein/hub/http_redirect.py): the same host
and path on https, only for the hub's host and its subdomains; anything else goes to the hub
itself (no open redirect). The listener on a real hub: tests/hub/test_http_redirect_hub.py."""

from __future__ import annotations

import socket

import pytest

from leerplein.hub.http_redirect import redirect_target
from leerplein.hub.settings import HubError, new_settings

PUBLIC = "https://hub.example.nl"


@pytest.mark.parametrize("host, uri, expected", [
    ("hub.example.nl", "/hub/login?next=%2Fhub%2Fhome", "https://hub.example.nl/hub/login?next=%2Fhub%2Fhome"),
    ("hub.example.nl:80", "/", "https://hub.example.nl/"),
    ("HUB.Example.NL.", "/x", "https://hub.example.nl/x"),
    ("anna.hub.example.nl", "/user/anna/leerplein", "https://anna.hub.example.nl/user/anna/leerplein"),
    ("peiling--service.hub.example.nl", "/services/peiling/", "https://peiling--service.hub.example.nl/services/peiling/"),
    ("evil.example", "/hub/login", "https://hub.example.nl/hub/login"),
    ("hub.example.nl.evil.example", "/", "https://hub.example.nl/"),
    ("a/b.hub.example.nl", "/", "https://hub.example.nl/"),
    ("", "/hub/", "https://hub.example.nl/hub/"),
    ("hub.example.nl", "//evil.example/", "https://hub.example.nl/"),
    ("hub.example.nl", "http://evil.example/", "https://hub.example.nl/"),
    # probes (issue 28 review): a non-ASCII label is no host of ours (and no header of Latin-1 only)
    ("évil.hub.example.nl", "/", "https://hub.example.nl/"),
    ("\u0661.hub.example.nl", "/", "https://hub.example.nl/"),
    ("hub.example.nl\r\nSet-Cookie: a=b", "/", "https://hub.example.nl/"),
    ("evil.example%2F.hub.example.nl", "/", "https://hub.example.nl/"),
    ("hub.example.nl", "/\\evil.example/", "https://hub.example.nl/\\evil.example/"),
])
def test_the_same_host_and_path_on_https_only_for_the_hub(host, uri, expected):
    assert redirect_target(PUBLIC, host, uri) == expected


def test_the_https_port_of_the_public_address_is_kept():
    assert redirect_target("https://hub.localhost:9443", "anna.hub.localhost:8080", "/a?b=c") == \
        "https://anna.hub.localhost:9443/a?b=c"


def test_a_redirect_port_only_with_tls(tmp_path):
    from conftest import ROOT

    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role,course\nqbx,Q,student,a\n")
    with pytest.raises(HubError, match="only with --ssl-cert"):
        new_settings(ROOT, roster, tmp_path / "state", 9100, tmp_path / "c", tmp_path / "e", http_redirect_port=8080)
    assert new_settings(ROOT, roster, tmp_path / "state", 9100, tmp_path / "c", tmp_path / "e").http_redirect_port == 0


def _listener(port: int):
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "leerplein.hub.http_redirect", "--port", str(port),
                             "--ip", "127.0.0.1", "--public-url", PUBLIC])
    for _ in range(200):
        if _redirected(port):
            time.sleep(0.3)  # the listener has let go of this first connection too
            return proc
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the listener did not start")


def _redirected(port: int, source: str = "127.0.0.1") -> bool:
    """One plain request from `source`: True when it gets the listener's 301."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as sock:
            sock.sendall(b"GET /x HTTP/1.1\r\nHost: hub.example.nl\r\n\r\n")
            return sock.recv(200).startswith(b"HTTP/1.1 301")
    except OSError:
        return False


def _closed_by_server(sock) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_one_address_cannot_hold_every_connection_of_the_listener():
    """Probe: one address opens more connections than PER_ADDRESS and sends nothing (slowloris).
    The extra ones are closed at once; another address is still redirected; once she lets go, so
    is she. The real listener process, as `hub start` runs it (as root it serves as leerplein-http)."""
    import time

    from hub_helpers import port_for
    from leerplein.hub.http_redirect import PER_ADDRESS

    port = port_for(10)
    proc = _listener(port)
    held = []
    try:
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(PER_ADDRESS)]
        time.sleep(0.5)  # the listener has accepted them all
        extra = socket.create_connection(("127.0.0.1", port), timeout=2)
        assert _closed_by_server(extra), "the listener kept a connection beyond the limit of one address"
        extra.close()
        assert not any(_closed_by_server_now(s) for s in held)  # the first PER_ADDRESS stay open
        assert _redirected(port, source="127.0.0.2")  # another address is served meanwhile
        for sock in held:
            sock.close()
        held = []
        deadline = time.monotonic() + 10
        while not _redirected(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _redirected(port)
    finally:
        for sock in held:
            sock.close()
        proc.terminate()
        proc.wait(timeout=10)


def _closed_by_server_now(sock) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.setblocking(True)


@pytest.mark.parametrize("request_line", [
    b"GET /a\rSet-Cookie: x=1 HTTP/1.1", b"GET /a%0d%0aSet-Cookie:%20x=1 HTTP/1.1", b"GET //evil.example/ HTTP/1.1",
    b"GET /\\evil.example HTTP/1.1", b"GET http://evil.example/ HTTP/1.1"])
def test_no_header_of_her_own_and_no_other_host_through_the_path(listener_port, request_line):
    """Probes on the real listener: a CR in the raw path, CRLF encoded, `//host`, a backslash and an
    absolute URI never add a header nor send the browser to another host."""
    with socket.create_connection(("127.0.0.1", listener_port), timeout=5) as sock:
        sock.sendall(request_line + b"\r\nHost: hub.example.nl\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    assert not any(line.lower().startswith("set-cookie") for line in lines), head
    location = [line for line in lines if line.lower().startswith("location:")]
    assert lines[0].split()[1] in ("301", "400"), head
    assert all(line.split(":", 1)[1].strip().startswith("https://hub.example.nl/") for line in location), head


@pytest.fixture(scope="module")
def listener_port():
    from hub_helpers import port_for

    port = port_for(10) + 1
    proc = _listener(port)
    yield port
    proc.terminate()
    proc.wait(timeout=10)
