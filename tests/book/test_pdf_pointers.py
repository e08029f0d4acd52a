"""The print edition points to each interactive's web page with a full address and a QR code
when the book's public address is set (html.baseurl in book/_config.yml)."""

from __future__ import annotations

import segno

from conftest import ROOT
from leerplein.book.pdf import print_html, web_base
from leerplein.paths import Layout

ONE_PAGE = ('<html><head></head><body><article class="bd-article">'
            '<span id="document-modules/01-armoede-zien/doe-rondkomen"></span><h1>Doe mee: rondkomen</h1>'
            '<section class="lp-interactive" data-tool="rondkomen"><p>still</p></section>'
            '</article></body></html>')


def test_each_interactive_gets_its_full_address_and_a_qr_code():
    base = "https://leerplein.example.nl/boek/"
    printed = print_html(Layout(ROOT), ONE_PAGE, base=base)
    url = "https://leerplein.example.nl/boek/modules/01-armoede-zien/doe-rondkomen.html"
    assert f"Deze oefening doe je op de webpagina \"Doe mee: rondkomen\": {url}" in printed
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#111", light="#fff")
    assert f'<img src="{qr}" alt="QR-code naar {url}">' in printed


def test_without_an_address_the_note_says_where_to_look_and_has_no_broken_qr():
    printed = print_html(Layout(ROOT), ONE_PAGE, base="")
    assert "modules/01-armoede-zien/doe-rondkomen.html in de webversie van het boek" in printed
    assert "QR-code" not in printed


def test_the_address_setting_is_in_the_config():
    assert "baseurl:" in (ROOT / "book" / "_config.yml").read_text(encoding="utf-8")
    assert web_base(Layout(ROOT)) == ""  # an institute fills it in
