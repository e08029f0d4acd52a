"""How an interactive appears in the static book: a block of precomputed data plus a text
alternative, brought to life by book/_assets/leerplein-interactives.js (no kernel, no CDN).

During `leerplein build` the environment variable LEERPLEIN_BOOK_BUILD is set, and pages
call these instead of building widgets (a widget without a kernel does not respond).
"""

from __future__ import annotations

import html
import json
import os

BUILD_ENV = "LEERPLEIN_BOOK_BUILD"


def in_book_build() -> bool:
    return os.environ.get(BUILD_ENV) == "1"


def block(tool: str, data: dict, alt: str, title: str) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (f'<section class="lp-interactive" data-tool="{html.escape(tool)}" aria-label="{html.escape(title)}">'
            f'<script type="application/json" class="lp-data">{payload}</script>'
            f'<p class="lp-fallback">{html.escape(alt)} (Deze oefening heeft JavaScript nodig.)</p></section>')
