"""Where the plain-http listener sends a request (src/leerplein/hub/http_redirect.py): the same host
and path on https, only for the hub's host and its subdomains; anything else goes to the hub
itself (no open redirect). The listener on a real hub: tests/hub/test_http_redirect_hub.py."""

from __future__ import annotations

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
