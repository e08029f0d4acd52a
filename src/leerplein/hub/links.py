"""Launch links from the book into the hub.

`student_page_url` opens a module page in the student view (src/leerplein/student) of the
student's own server: the page as in the book, with a private notes field. The book adds
that link to every "Doe mee" page when `leerplein_hub_url` is set in book/_config.yml.

`launch_url` is the format the book's own JupyterHub launch
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


def student_page_url(hub_url: str, docname: str) -> str:
    """`docname` as Sphinx names the page: modules/01-armoede-zien/doe-rondkomen."""
    module, page = docname.split("/")[-2:]
    return f"{hub_url.rstrip('/')}/hub/user-redirect/leerplein/pagina/{module}/{page}"
