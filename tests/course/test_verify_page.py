"""The verification page an institute publishes beside status.json, in real Chromium and offline:
a valid, a changed, a revoked and an expired badge each get the right Dutch verdict (plus a PNG
with two badges and a badge signed by another key), and the page sends nothing anywhere but
GET requests for its own files and status.json."""

from __future__ import annotations

import base64
import functools
import http.server
import threading
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ROOT, axe_scan
from leerplein.course.results.progress import load_rules
from test_credential import baked, make_root, signer_key

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture()
def published(tmp_path):
    from openbadgeslib.baking import ITXT_KEYWORD_OB3, bake_png
    from openbadgeslib.ob3 import OB3Verifier
    from openbadgeslib.ob3.status_list import build_status_list_credential, sign_status_list_credential

    from leerplein.credentials.institute import real_institute
    from leerplein.credentials.page import write_verify_page

    root = make_root(tmp_path)
    institute = real_institute(root)
    private, public = signer_key(tmp_path)
    site = tmp_path / "site" / "badges"
    write_verify_page(root, public, site)
    status = build_status_list_credential(institute.url, institute.status_url, "revocation", [3], 16384)
    (site / "status.json").write_text(sign_status_list_credential(status, private, "EdDSA"))

    badges = tmp_path / "badges"
    badges.mkdir()
    from leerplein.credentials.issue import credential_payload, holder_identity
    from openbadgeslib.ob3 import OB3Signer
    from leerplein.credentials.issue import badge_image

    def make(index: int, now: datetime | None = None) -> bytes:
        payload = credential_payload(root, institute, holder_identity("sanne@example.nl", "zout"), index,
                                     now or datetime.now(timezone.utc))
        return bake_png(badge_image("x"), OB3Signer(private, algorithm="EdDSA").sign_payload(payload),
                        keyword=ITXT_KEYWORD_OB3)

    valid = make(0)
    (badges / "geldig.png").write_bytes(valid)
    token = OB3Verifier.extract_token_from_png(valid)
    head, body, sig = token.split(".")
    claims = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().replace("Studielast: ", "Studielast: 1")
    changed = ".".join([head, base64.urlsafe_b64encode(claims.encode()).decode().rstrip("="), sig])
    (badges / "veranderd.png").write_bytes(bake_png(badge_image("x"), changed, keyword=ITXT_KEYWORD_OB3))
    (badges / "ingetrokken.png").write_bytes(make(3))
    (badges / "verlopen.png").write_bytes(make(1, datetime.now(timezone.utc) - timedelta(days=365 * 6)))
    (badges / "dubbel.png").write_bytes(bake_png(valid, OB3Verifier.extract_token_from_png(make(2)),
                                                 keyword=ITXT_KEYWORD_OB3))
    other, _ = signer_key(tmp_path)
    (badges / "ander.png").write_bytes(baked(root, other, jwk_header=False))
    (badges / "gewoon.png").write_bytes(badge_image("x"))
    # a compressed "badge" that inflates to 20 MB: refused without filling the tab's memory
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b"a" * 20_000_000, 9)
    chunk = len(body).to_bytes(4, "big") + b"iTXt" + body + zlib.crc32(b"iTXt" + body).to_bytes(4, "big")
    plain = badge_image("x")
    (badges / "bom.png").write_bytes(plain[:-12] + chunk + plain[-12:])

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/badges/controleren.html", "badges": badges,
           "origin": f"http://127.0.0.1:{server.server_port}/"}
    server.shutdown()


def test_the_page_gives_the_right_verdict_for_each_badge_offline(published, browser):
    requests = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(published["origin"])
                   else route.abort())  # offline: only the institute's own folder answers
        page.on("request", lambda r: requests.append((r.method, r.url, r.post_data)))
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(published["url"])
        page.wait_for_selector("body[data-klaar=ja]", timeout=30_000)

        def verdict(name: str, email: str = "") -> tuple[str, str]:
            page.fill("#email", email)
            page.set_input_files("#bestand", str(published["badges"] / name))
            box = page.wait_for_selector(".oordeel:not([data-oordeel=bezig])", timeout=30_000)
            found = box.get_attribute("data-oordeel"), box.inner_text()
            page.evaluate("document.getElementById('uitslag').replaceChildren()")
            page.set_input_files("#bestand", [])
            return found

        kind, text = verdict("geldig.png")
        assert kind == "geldig" and "Hogeschool Proefstad" in text and "niet ingetrokken" in text, text
        stated = load_rules(ROOT).badge
        assert f"{stated['studielast_uren']} uur" in text and f"{float(stated['ec']):g}".replace(".", ",") in text, text
        kind, text = verdict("veranderd.png")
        assert kind == "veranderd" and "veranderd" in text, text
        kind, text = verdict("ingetrokken.png")
        assert kind == "ingetrokken" and "ingetrokken" in text, text
        kind, text = verdict("verlopen.png")
        assert kind == "verlopen" and "verlopen" in text, text
        kind, text = verdict("dubbel.png")
        assert kind == "meer-badges" and "2 badges" in text, text
        kind, text = verdict("ander.png")
        assert kind == "andere-sleutel" and "niet door ons uitgegeven" in text, text
        kind, text = verdict("gewoon.png")
        assert kind == "geen-badge", text
        kind, text = verdict("bom.png")
        assert kind == "geen-badge" and "te groot" in text, text
        kind, text = verdict("geldig.png", "Sanne@example.nl")
        assert kind == "geldig" and "klopt" in text, text
        kind, text = verdict("geldig.png", "iemand@example.nl")
        assert kind == "andere-houder", text

        # a dropped file gets the same check as a chosen one
        page.fill("#email", "")
        data = base64.b64encode((published["badges"] / "geldig.png").read_bytes()).decode()
        page.evaluate("""(data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], 'badge.png', {type: 'image/png'}));
            document.getElementById('vak').dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""", data)
        box = page.wait_for_selector(".oordeel:not([data-oordeel=bezig])", timeout=30_000)
        assert box.get_attribute("data-oordeel") == "geldig"
        assert not errors, errors
        # keyboard and screen reader: axe finds nothing serious, on the page with a verdict
        # (a second page that lets axe's script in; the first kept the page's own policy)
        checked = browser.new_page(bypass_csp=True)
        checked.route("**/*", lambda route: route.continue_() if route.request.url.startswith(published["origin"])
                      else route.abort())
        checked.goto(published["url"])
        checked.wait_for_selector("body[data-klaar=ja]", timeout=30_000)
        checked.set_input_files("#bestand", str(published["badges"] / "ingetrokken.png"))
        checked.wait_for_selector("[data-oordeel=ingetrokken]", timeout=30_000)
        assert axe_scan(checked) == []
        checked.close()
    finally:
        context.close()
    assert requests and all(method == "GET" and post is None and url.startswith(published["origin"])
                            for method, url, post in requests), requests
    assert {Path(url).name for _, url, _ in requests} >= {"controleren.html", "controleren.js", "index.js", "status.json"}
