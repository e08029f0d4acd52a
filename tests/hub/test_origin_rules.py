"""The rules behind per-user origins, without a hub: which book files the student view serves,
which public addresses `hub start` accepts, which hosts count as a user's or service's origin,
and the headers the standalone grading page sends (tests/hub/test_origins.py runs them for real)."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.routing import HostMatches

from leerplein.hub.app import subdomain_pattern
from leerplein.hub.settings import HubError, public_url_for
from leerplein.service_base import CSP, STRICT_HEADERS
from leerplein.student.handlers import book_file_allowed


@pytest.mark.parametrize("path", ["index.html", "_static/styles.css", "_images/kaart.png",
                                  "modules/01-armoede-zien/doe-rondkomen.html", "_static/js/x.js"])
def test_the_book_files_a_page_needs_are_served(path):
    assert book_file_allowed(path)


@pytest.mark.parametrize("path", ["_sources/index.md", "_sources/modules/01-armoede-zien/lezen.md.txt",
                                  "_sources\\index.md", "\x00", "_static/\x00x.css", ".buildinfo",
                                  "_static/.hidden", "modules/../.buildinfo"])
def test_sources_build_files_and_nul_bytes_are_refused(path):
    assert not book_file_allowed(path)


def test_the_public_address_is_a_host_name_that_can_have_subdomains():
    assert public_url_for(8100) == "http://localhost:8100"
    assert public_url_for(8100, "https://hub.example.nl/") == "https://hub.example.nl"
    for bad in ("http://127.0.0.1:8100", "https://hub.example.nl/leerplein", "hub.example.nl", "ftp://x.nl",
                "http://[::1]:8100"):
        with pytest.raises(HubError):
            public_url_for(8100, bad)


@pytest.mark.parametrize("host,other", [("ozbob.localhost", True), ("peiling--service.localhost", True),
                                        ("a.b.localhost", True), ("OZBOB.LOCALHOST", True),
                                        ("localhost", False), ("127.0.0.1", False), ("evillocalhost", False),
                                        ("localhost.evil.nl", False)])
def test_a_users_or_services_host_is_told_apart_from_the_hubs(host, other):
    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/hub/login", "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": f"{host}:8100"}))
    assert (HostMatches(subdomain_pattern("localhost")).match(request) is not None) is other


def test_nothing_of_leerplein_may_be_framed():
    assert "frame-ancestors 'none'" in CSP and "frame-ancestors 'self'" not in CSP
    assert STRICT_HEADERS["X-Frame-Options"] == "DENY"


def test_the_standalone_grading_page_sends_the_strict_headers(tmp_path):
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    from conftest import ROOT
    from leerplein.course.course import Course
    from leerplein.course.grading.grading_app import make_app

    app, token = make_app(Course(ROOT, tmp_path / "course", tmp_path / "exchange"))
    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    loop = asyncio.new_event_loop()

    def serve():
        asyncio.set_event_loop(loop)
        HTTPServer(app).add_sockets(sockets)
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    try:
        for url in (f"http://127.0.0.1:{port}/?token={token}", f"http://127.0.0.1:{port}/"):
            r = requests.get(url, timeout=10)
            assert r.headers["Content-Security-Policy"] == CSP, url
            assert r.headers["X-Frame-Options"] == "DENY", url
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 403
    finally:
        loop.call_soon_threadsafe(loop.stop)
