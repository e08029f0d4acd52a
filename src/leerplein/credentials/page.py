"""The verification page an institute publishes beside its status list (`controleren.html`).

An employer drops a badge PNG on it; the browser checks the signature against the institute's
public key (Ed25519, by `jose` from npm, vendored here from node_modules), the dates, and the
revocation bit in `status.json` fetched from the same folder. Nothing about the badge leaves the
browser: the page's content security policy allows no connection but to its own site.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

from leerplein.credentials.institute import Institute, real_institute

JOSE = Path("jose") / "dist" / "webapi"  # the ES-module build for browsers, below node_modules
STATIC = Path(__file__).parent  # controleren.js and controleren.css live beside this module


class PageError(RuntimeError):
    pass


def page_config(institute: Institute, public_pem: bytes) -> dict:
    from openbadgeslib.keys import public_jwk_from_pem

    jwk = public_jwk_from_pem(public_pem)
    return {"naam": institute.naam, "url": institute.url, "statusUrl": institute.status_url,
            "jwk": {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]},
            "contact": str(institute.contact.get("email") or "")}


def page_html(config: dict) -> str:
    e = html.escape
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>Badge controleren · {e(config['naam'])}</title>
<link rel="stylesheet" href="controleren.css">
</head>
<body>
<main>
<h1>Badge controleren</h1>
<p>Op deze pagina controleer je een badge van <strong>{e(config['naam'])}</strong>: is hij echt door
ons uitgegeven, is hij niet veranderd, is hij nog geldig en niet ingetrokken? De controle gebeurt in
je eigen browser. De badge wordt nergens naartoe gestuurd.</p>
<form id="controle">
<div id="vak" class="vak">
<label for="bestand">Kies de badge (een PNG-bestand) of sleep hem hierheen</label>
<input type="file" id="bestand" accept="image/png,.png">
</div>
<label for="email">E-mailadres van de houder (niet verplicht): dan controleren we ook of de badge van die persoon is</label>
<input type="email" id="email" autocomplete="off">
</form>
<div id="uitslag" role="status" aria-live="polite"></div>
<p class="klein">Vragen? Neem contact op met {e(config['naam'])}{(' via ' + e(config['contact'])) if config['contact'] else ''}.</p>
</main>
<script type="application/json" id="instituut">{data}</script>
<script type="module" src="controleren.js"></script>
</body>
</html>
"""


def write_verify_page(root: Path, public_pem: bytes, output: Path, node_modules: Path | None = None) -> Path:
    """Write controleren.html with its script, style and the vendored jose into `output`."""
    institute = real_institute(root)
    source = (node_modules or root / "node_modules") / JOSE
    if not (source / "index.js").is_file():
        raise PageError(f"{source} ontbreekt. Voer eerst `npm ci` uit in {root} (scripts/setup.sh doet dat).")
    output.mkdir(parents=True, exist_ok=True)
    target = output / "jose"
    tmp = output / ".jose.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, ignore=shutil.ignore_patterns("*.map", "*.d.ts"))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    for name in ("controleren.js", "controleren.css"):
        shutil.copyfile(STATIC / name, output / name)
    page = output / "controleren.html"
    page.with_suffix(".tmp").write_text(page_html(page_config(institute, public_pem)), encoding="utf-8")
    os.replace(page.with_suffix(".tmp"), page)
    return page


def publish_folder(course) -> Path:
    """The folder to put on the web at the institute's badges_url: status.json, the public key
    and the verification page. Never the badge folder itself: that holds the private key."""
    from leerplein.credentials.issue import badge_dir, issuer_keys

    _, public = issuer_keys(course)
    folder = badge_dir(course) / "publiceren"
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o755)
    shutil.copyfile(badge_dir(course) / "status.json", folder / "status.json")
    (folder / "issuer-public.pem").write_bytes(public)
    write_verify_page(course.root, public, folder)
    return folder
