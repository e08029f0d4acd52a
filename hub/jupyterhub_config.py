# JupyterHub configuration for one machine (in the spirit of The Littlest JupyterHub).
# `leerplein hub start` runs JupyterHub with this file and the settings below in the
# environment; see src/leerplein/hub/settings.py for what each one means.
import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821
S = json.loads(os.environ["LEERPLEIN_HUB_SETTINGS"])
state = Path(S["state_dir"])
venv_bin = Path(sys.executable).parent

c.JupyterHub.ip = S.get("ip") or "127.0.0.1"
# HTTPS on the proxy with the institute's certificate (`hub start --ssl-cert/--ssl-key`, checked
# in src/leerplein/hub/tls.py); plain http to that port gets no answer. Hub, services and users'
# servers stay on 127.0.0.1 behind the proxy.
if S.get("ssl_cert"):
    c.JupyterHub.ssl_cert = S["ssl_cert"]
    c.JupyterHub.ssl_key = S["ssl_key"]
    # browsers remember to use https for the hub's host and every <user>.<host> below it (a year);
    # over https only: plain http (`--http-redirect-port`, src/leerplein/hub/http_redirect.py) redirects
    c.JupyterHub.tornado_settings = {"headers": {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}}
# One origin per user and per service (issue 22, hole 1): a student controls her own server
# process, so nothing she serves may share an origin with the hub, a service or a classmate.
# Alice's server is at <alice>.<host>, Peiling at peiling--service.<host>; the hub's pages only
# at <host> (src/leerplein/hub/app.py). Needs a wildcard DNS record and certificate (README).
c.JupyterHub.subdomain_host = S["public_url"]
# __Host- cookies cannot be set by a subdomain (cookie tossing); browsers allow them only on https
c.JupyterHub.cookie_host_prefix_enabled = S["public_url"].startswith("https://")
# Dutch login, start and error pages (JupyterHub's own templates stay the fallback)
c.JupyterHub.template_paths = [str(Path(S["root"]) / "hub" / "templates")]
c.JupyterHub.port = S["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S["hub_port"]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [S["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"

# Login: PAM against the real system users made from the roster (passwords: see
# `leerplein hub start`). NativeAuthenticator 1.3 does not work with JupyterHub 6 (its login
# handler uses the removed `statsd`), so it is not used.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(S["students"] + S["teachers"])
c.Authenticator.admin_users = set(S["admins"])
# Login from the LMS instead (LTI 1.3), when the admin put an lti.yml beside the roster
# (`hub start` copies it to state/lti): src/leerplein/lti/authenticator.py, README "Login from the LMS".
if (state / "lti" / "lti.yml").is_file():
    from leerplein.lti.config import load as load_lti

    LTI = load_lti(state)
    c.JupyterHub.authenticator_class = "leerplein.lti.authenticator.LeerpleinLTIAuthenticator"
    c.LeerpleinLTIAuthenticator.state_dir = str(state)
    c.LeerpleinLTIAuthenticator.issuer = LTI.issuer
    c.LeerpleinLTIAuthenticator.client_id = set(LTI.client_ids)
    c.LeerpleinLTIAuthenticator.authorize_url = LTI.oidc_auth_url
    c.LeerpleinLTIAuthenticator.jwks_endpoint = LTI.jwks_url
    c.LeerpleinLTIAuthenticator.uri_scheme = "https" if S["public_url"].startswith("https://") else "http"
    c.LeerpleinLTIAuthenticator.tool_name = "Leerplein"

c.JupyterHub.load_groups = {"leerplein-studenten": {"users": S["students"]},
                            "leerplein-docenten": {"users": S["teachers"]}}
c.JupyterHub.load_roles = [
    {"name": "leerplein-docent", "groups": ["leerplein-docenten"],
     "scopes": ["access:services!service=leerplein-grading", "access:services!service=peiling",
                "access:services!service=leerkring", "self"]},
    # course members may join polls that are only for the course (Peiling's "alleen_cursus")
    {"name": "leerplein-student", "groups": ["leerplein-studenten"],
     "scopes": ["access:services!service=peiling", "access:services!service=leerkring"]},
    {"name": "leerplein-beheer", "services": ["leerplein-beheer"], "scopes": ["admin:users", "admin:servers",
     "tokens", "list:users", "read:users", "access:servers", "groups"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
# the services start together (LeerpleinHub.start_service); on a busy machine with two cores their
# imports take longer than JupyterHub's default 30 s wait
SERVICE_START_SECONDS = 90
c.JupyterHub.services = [
    {"name": "leerplein-beheer", "api_token": S["admin_token"]},
    {"name": "leerplein-grading", "timeout": SERVICE_START_SECONDS, "url": f"http://127.0.0.1:{S['grading_port']}", "oauth_no_confirm": True,
     "command": [sys.executable, "-m", "leerplein.hub.grading_service"],
     "environment": {"LEERPLEIN_COURSE_DIR": S["course_dir"], "LEERPLEIN_EXCHANGE": S["exchange"],
                     "LEERPLEIN_ROOT": S["root"], "LEERPLEIN_GRADING_PORT": str(S["grading_port"]),
                     "LEERPLEIN_HUB_ID": S["hub_id"], "LEERPLEIN_PEOPLE_FILE": str(state / "people.json"),
                     "LEERPLEIN_STATE_DIR": str(state), "LEERPLEIN_PUBLIC_URL": S["public_url"],
                     "LEERPLEIN_LTI_RETRY_SECONDS": os.environ.get("LEERPLEIN_LTI_RETRY_SECONDS", "300")}},
    # Peiling, the live poll (src/leerplein/peiling): reachable without a hub account for guests
    # with a code; facilitators are the teachers. It runs as an unprivileged user.
    {"name": "peiling", "timeout": SERVICE_START_SECONDS, "url": f"http://127.0.0.1:{S['peiling_port']}", "oauth_no_confirm": True,
     "command": [sys.executable, "-m", "leerplein.peiling.service"], "user": "nobody", "cwd": str(state / "peiling"),
     "environment": {"LEERPLEIN_PEILING_STATE": str(state / "peiling"), "LEERPLEIN_ROOT": S["root"],
                     "LEERPLEIN_PEILING_BEGELEIDERS": ",".join(S["teachers"]), "LEERPLEIN_HUB_ID": S["hub_id"],
                     "HOME": str(state / "peiling"), "MPLCONFIGDIR": str(state / "peiling"),
                     # the join link and QR code on the projector: the address users type
                     "LEERPLEIN_PEILING_PUBLIC_URL": S["public_url"]}},
    # The leerkring (src/leerplein/leerkring): action-learning sets, course members only.
    {"name": "leerkring", "timeout": SERVICE_START_SECONDS, "url": f"http://127.0.0.1:{S['leerkring_port']}", "oauth_no_confirm": True,
     "command": [sys.executable, "-m", "leerplein.leerkring.service"], "user": "nobody",
     "cwd": str(state / "leerkring"),
     "environment": {"LEERPLEIN_LEERKRING_STATE": str(state / "leerkring"), "LEERPLEIN_ROOT": S["root"],
                     "LEERPLEIN_LEERKRING_MENSEN": str(state / "leerkring" / "mensen.json"),
                     "LEERPLEIN_HUB_ID": S["hub_id"], "HOME": str(state / "leerkring")}},
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                        f"--timeout={S['idle_timeout']}", "--cull-every=60"],
     # without control groups, `hub stop` finds the hub's processes by this marker
     "environment": {"LEERPLEIN_HUB_ID": S["hub_id"]}},
]

# Each user's server: JupyterLab (Dutch, news off, ipywidgets and nbgrader extensions come from
# the same environment), the course's nbgrader exchange, and limits per student: memory,
# processes and CPU for all of a student's processes together, in a control group of their own
# (src/leerplein/hub/limits.py). Without control groups, prlimit caps each process instead.
c.JupyterHub.spawner_class = "leerplein.hub.spawner.LeerpleinSpawner"
c.LeerpleinSpawner.hub_id = S["hub_id"]
c.LeerpleinSpawner.student_memory = S["mem_limit_bytes"]
c.LeerpleinSpawner.student_processes = S["nproc_limit"]
c.LeerpleinSpawner.student_cpus = S["cpu_limit"]
# jupyterhub-singleuser, lighter (src/leerplein/hub/singleuser.py)
singleuser = [sys.executable, "-m", "leerplein.hub.singleuser"]
c.Spawner.cmd = singleuser if S["cgroups"] else [
    "prlimit", f"--as={S['mem_limit_bytes']}", f"--nproc={S['nproc_limit']}", "--", *singleuser]
# Students land in the student view (no code, all Dutch: src/leerplein/student), with
# nbgrader's teacher panels switched off in their JupyterLab; teachers land in JupyterLab.
c.Spawner.default_url = "/leerplein"
c.LeerpleinSpawner.teacher_group = "leerplein-docenten"
c.LeerpleinSpawner.student_config = str(state / "jupyter-config-student")
c.LeerpleinSpawner.people_file = str(state / "people.json")  # a student's view lists her cohort's releases
# Students' servers are forked from a root process that has imported Jupyter once
# (src/leerplein/hub/zygote.py); its socket is in a folder only root can enter.
c.LeerpleinSpawner.fork_server = str(state / "zygote" / "socket") if S.get("fork_server", True) else ""
if c.LeerpleinSpawner.fork_server:
    from leerplein.hub.spawner import FORK_SERVER

    FORK_SERVER.launch(Path(c.LeerpleinSpawner.fork_server), {**os.environ, "LEERPLEIN_HUB_ID": S["hub_id"]})
c.Spawner.mem_limit = S["mem_limit_bytes"]  # shown in JupyterLab; enforced by the control group
c.Spawner.cpu_limit = S["cpu_limit"]
# ~/.jupyter and other config in the home folder is the student's: her server ignores it
c.Spawner.disable_user_config = True
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(state / "jupyter-config"),
                         "LEERPLEIN_ROOT": S["root"],
                         # the student view compares her draft with the released version (versions.py)
                         "LEERPLEIN_EXCHANGE": S["exchange"],
                         "PATH": f"{venv_bin}:/usr/bin:/bin",
                         # nbgitpuller clones the course repository, which belongs to another user
                         "GIT_CONFIG_GLOBAL": str(state / "gitconfig"),
                         # glibc makes a memory arena per thread; the server's few threads need two
                         "MALLOC_ARENA_MAX": "2"}
def landing(handler):
    """Teachers land in their workspace (src/leerplein/teacher); students in their own server."""
    user = handler.current_user
    if user is not None and any(g.name == "leerplein-docenten" for g in user.groups):
        return f"{handler.base_url}services/leerplein-grading/werkplek/"
    return ""


c.JupyterHub.default_url = landing
c.JupyterHub.shutdown_on_logout = False
c.JupyterHub.cleanup_servers = True
