"""`hub start --ssl-cert/--ssl-key` refuses a certificate that would show a browser warning on the
first student's server, a key others can read, and TLS without an https public address; and the
one public address is what the book's launch links are checked against."""

from __future__ import annotations

import os

import pytest

from leerplein.hub.public import book_links_differ, hub_link
from leerplein.hub.settings import HubError
from leerplein.hub.tls import check_certificate, covers
from tls_helpers import make_certificates


def test_a_certificate_for_the_host_and_its_wildcard_is_accepted(tmp_path):
    files = make_certificates(tmp_path, ["hub.example.nl", "*.hub.example.nl"])
    assert check_certificate(files["cert"], files["key"], "https://hub.example.nl") == (str(files["cert"]),
                                                                                       str(files["key"]))


def test_a_certificate_without_the_wildcard_is_refused(tmp_path):
    files = make_certificates(tmp_path, ["hub.example.nl"])
    with pytest.raises(HubError, match=r"\*\.hub\.example\.nl"):
        check_certificate(files["cert"], files["key"], "https://hub.example.nl")


def test_a_certificate_for_another_host_is_refused(tmp_path):
    files = make_certificates(tmp_path, ["other.example.nl", "*.other.example.nl"])
    with pytest.raises(HubError, match="hub.example.nl"):
        check_certificate(files["cert"], files["key"], "https://hub.example.nl")


def test_a_key_of_another_certificate_is_refused(tmp_path):
    first = make_certificates(tmp_path / "a", ["hub.example.nl", "*.hub.example.nl"])
    second = make_certificates(tmp_path / "b", ["hub.example.nl", "*.hub.example.nl"])
    with pytest.raises(HubError, match="does not belong"):
        check_certificate(first["cert"], second["key"], "https://hub.example.nl")


def test_a_key_others_can_read_is_refused(tmp_path):
    files = make_certificates(tmp_path, ["hub.example.nl", "*.hub.example.nl"])
    os.chmod(files["key"], 0o644)
    with pytest.raises(HubError, match="chmod 600"):
        check_certificate(files["cert"], files["key"], "https://hub.example.nl")


def test_tls_needs_an_https_public_address(tmp_path):
    files = make_certificates(tmp_path, ["hub.example.nl", "*.hub.example.nl"])
    with pytest.raises(HubError, match="https"):
        check_certificate(files["cert"], files["key"], "http://hub.example.nl")


def test_a_single_label_host_is_refused(tmp_path):
    files = make_certificates(tmp_path, ["localhost", "*.localhost"])
    with pytest.raises(HubError, match="single-label"):  # browsers and OpenSSL refuse *.localhost
        check_certificate(files["cert"], files["key"], "https://localhost:8100")


def test_the_wildcard_covers_one_label_only():
    assert covers(["*.hub.example.nl"], "anna.hub.example.nl")
    assert not covers(["*.hub.example.nl"], "hub.example.nl")
    assert not covers(["*.hub.example.nl"], "a.b.hub.example.nl")
    assert not covers(["*.example.nl"], "anna.hub.example.nl")


def test_links_are_made_on_the_public_address():
    assert hub_link("https://hub.example.nl/", "/services/peiling/") == "https://hub.example.nl/services/peiling/"


def test_launch_links_in_the_book_that_lead_elsewhere_are_named(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_config.yml").write_text(
        'launch_buttons:\n  jupyterhub_url: "http://127.0.0.1:8100"\n'
        'sphinx:\n  config:\n    leerplein_hub_url: "https://hub.example.nl/"\n')
    assert book_links_differ(tmp_path, "https://hub.example.nl") == [
        "launch_buttons.jupyterhub_url is http://127.0.0.1:8100"]


def test_the_network_only_with_tls(tmp_path):
    """`--ip 0.0.0.0` without a certificate would serve passwords in plain text: refused."""
    from hub_helpers import leerplein

    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,role,course\nhsnet,Net,student,leerplein\n")
    done = leerplein("hub", "start", "--roster", str(roster), "--state-dir", str(tmp_path / "state"), "--ip", "0.0.0.0")
    assert done.returncode == 2 and "only with HTTPS" in done.stderr, done.stdout + done.stderr
    half = leerplein("hub", "start", "--roster", str(roster), "--state-dir", str(tmp_path / "state"),
                     "--ssl-cert", str(roster))
    assert half.returncode == 2 and "both --ssl-cert and --ssl-key" in half.stderr, half.stdout + half.stderr
