"""Launch links from the book into the hub: nbgitpuller pulls the course repository into the
user's home (never overwriting their edits) and opens the page in JupyterLab."""

from __future__ import annotations

from urllib.parse import urlencode

TARGET = "leerplein"  # the folder in the user's home


def launch_url(hub_url: str, repo_url: str, branch: str, page: str) -> str:
    query = urlencode({"repo": repo_url, "branch": branch, "targetpath": TARGET,
                       "urlpath": f"lab/tree/{TARGET}/{page}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
