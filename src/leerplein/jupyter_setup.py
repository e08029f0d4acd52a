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
SERVER_CONFIG = {"ServerApp": {"jpserver_extensions": {"leerplein.student": True}}}  # /leerplein/

# Students work in the student view (leerplein.student). In JupyterLab they get none of
# nbgrader's panels: the teacher tools are not theirs, and nbgrader's assignment list and
# validate button have no Dutch (nbgrader's front end has no translations at all).
TEACHER_PLUGINS = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                   "@jupyter/nbgrader:course-list")
STUDENT_PAGE_CONFIG = {"disabledExtensions": {p: True for p in (
    *TEACHER_PLUGINS, "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment",
    "@jupyter/nbgrader:menu")}}
# Students' servers load only what students use: the student view, JupyterLab (for the live
# interactives), jupytext, nbgitpuller and nbgrader's student API (fetch, submit, validate). No
# terminal (non-programmers; and one shell less for a hostile student), no language server, no
# classic notebook UI, no teacher handlers.
STUDENT_SERVER_CONFIG = {"ServerApp": {"jpserver_extensions": {
    "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False,
    "jupyter_server_terminals": False, "jupyter_lsp": False, "notebook": False}}}


def install_lab_settings(prefix: Path | None = None) -> list[Path]:
    prefix = Path(prefix or sys.prefix)
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    page_config = prefix / "etc" / "jupyter" / "labconfig" / "page_config.json"
    server_config = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "leerplein.json"
    return [_merge_into(path, wanted) for path, wanted in (
        (overrides, LAB_OVERRIDES), (page_config, PAGE_CONFIG), (server_config, SERVER_CONFIG))]


def install_student_config(config_dir: Path) -> list[Path]:
    """A Jupyter config folder for students' servers (put first on JUPYTER_CONFIG_PATH)."""
    return [_merge_into(config_dir / "labconfig" / "page_config.json", STUDENT_PAGE_CONFIG),
            _merge_into(config_dir / "jupyter_server_config.json", STUDENT_SERVER_CONFIG)]


def _merge_into(path: Path, wanted: dict) -> Path:
    current = json.loads(path.read_text()) if path.exists() else {}
    merged = _deep_merge(current, wanted)
    if merged != current or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n")
    return path


def _deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


if __name__ == "__main__":
    # `--student-config DIR` also writes the students' config folder (the Kubernetes image does)
    extra = install_student_config(Path(sys.argv[2])) if sys.argv[1:2] == ["--student-config"] else []
    for p in [*install_lab_settings(), *extra]:
        print(f"   {p}")
