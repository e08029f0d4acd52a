"""JupyterLab settings shipped with Leerplein, written into an environment's prefix.

- Dutch interface (the nl_NL language pack is a pinned dependency);
- the "Get notified about official Jupyter news?" prompt is off: answering yes would
  make JupyterLab fetch from the internet;
- ipywidgets and nbgrader extensions stay enabled (they are installed as prebuilt
  extensions; this only makes sure nothing disabled them).

Used by `scripts/setup.sh`, by `leerplein start` and by the hub's single-user servers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"

LAB_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "nl_NL"},
    NEWS_PLUGIN: {"fetchNews": "false"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # Module pages are MyST Markdown notebooks: open them as notebooks, not as text.
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    },
}

PAGE_CONFIG = {"disabledExtensions": {NEWS_PLUGIN: True}}


def install_lab_settings(prefix: Path | None = None) -> list[Path]:
    prefix = Path(prefix or sys.prefix)
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    page_config = prefix / "etc" / "jupyter" / "labconfig" / "page_config.json"
    written = []
    for path, wanted in ((overrides, LAB_OVERRIDES), (page_config, PAGE_CONFIG)):
        current = json.loads(path.read_text()) if path.exists() else {}
        merged = _deep_merge(current, wanted)
        if merged != current or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(merged, indent=2) + "\n")
        written.append(path)
    return written


def _deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


if __name__ == "__main__":
    for p in install_lab_settings():
        print(f"   {p}")
