"""Launch links from the book into the hub, in the format the book's own JupyterHub launch
button uses (sphinx-book-theme): nbgitpuller pulls the course repository into a folder named
after the repository in the user's home (merging, never overwriting their edits) and opens
the page in JupyterLab. Configure the hub and repository once, in book/_config.yml
(`launch_buttons.jupyterhub_url`, `repository.url`, `repository.branch`)."""

from __future__ import annotations

from urllib.parse import urlencode


def repo_folder(repo_url: str) -> str:
    name = repo_url.rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".git") else name


def launch_url(hub_url: str, repo_url: str, branch: str, page: str) -> str:
    query = urlencode({"repo": repo_url, "urlpath": f"lab/tree/{repo_folder(repo_url)}/{page}", "branch": branch},
                      safe="/")
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
