"""Start and stop the one-machine hub in the background (`leerplein hub start|stop`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from leerplein.hub import connlimit, exchange_fs, limits
from leerplein.hub.ports import port_in_use
from leerplein.hub.prestart import HUB_URL_FILE
from leerplein.hub.public import write_public_url
from leerplein.identity import expected_uid
from leerplein.hub.settings import HubError, HubSettings, prepare, python_reachable_by_others, secure_state


def pid_file(state_dir: Path) -> Path:
    return state_dir / "jupyterhub.pid"


def start_hub(settings: HubSettings, timeout: float = 180, exchange_mb: int = exchange_fs.DEFAULT_MB) -> str:
    state = Path(settings.state_dir)
    if os.geteuid() == 0:
        blocked = python_reachable_by_others()
        if blocked:
            raise HubError(
                f"Students' servers run as their own system users, but they cannot enter {blocked}, where "
                f"Python is installed. Install Python somewhere users can reach (e.g. /usr or /opt), or allow "
                f"entering (not listing) that folder: chmod o+x {blocked}")
    running = pid_file(state)
    if running.exists() and _alive(int(running.read_text())):
        raise HubError(f"A hub is already running (pid {running.read_text()}); stop it with `leerplein hub stop`.")
    # a hub that was killed leaves its proxy and services holding the ports; students' servers
    # are left running: the new hub finds them again in its database
    limits.kill_group(settings.hub_id, "hub", settings.cgroups or None)
    time.sleep(0.2)
    for port in hub_ports(settings):
        taken = port_in_use(port)
        if taken:
            raise HubError(f"Port {port} on 127.0.0.1 is already in use ({taken}). Stop that program, or start "
                           f"the hub on other ports with --port.")
    if settings.http_redirect_port:
        taken = port_in_use(settings.http_redirect_port)
        if taken:
            raise HubError(f"Port {settings.http_redirect_port} (plain http, sent on to https) is already in use "
                           f"({taken}). Stop that program (a web server?), or give --http-redirect-port another port, "
                           f"or 0 for no redirect.")
    repaired = prepare(settings)
    warnings = [w for w in (budget_exchange(settings, exchange_mb, repaired), limit_connections(settings)) if w]
    limits.make_group(settings.hub_id, "hub", None, settings.cgroups or None)
    log_fd = os.open(state / "jupyterhub.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    os.fchmod(log_fd, 0o600)

    def as_hub():
        os.umask(0o077)  # the database, logs and secrets the hub writes are root's alone
        # started from a script's background job, this process ignores SIGINT, and so would the
        # hub and every server it starts: JupyterHub stops servers and services with SIGINT first
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        limits.join_group(settings.hub_id, "hub", 0, settings.cgroups or None)

    proc = subprocess.Popen(
        [sys.executable, "-m", "leerplein.hub.app", "-f", str(Path(settings.root) / "hub" / "jupyterhub_config.py")],
        cwd=state, env={**os.environ, "LEERPLEIN_HUB_SETTINGS": settings.to_env(), limits.HUB_ID_ENV: settings.hub_id},
        stdout=log_fd, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=as_hub)
    os.close(log_fd)
    running.write_text(str(proc.pid))
    os.chmod(running, 0o600)
    for note in repaired:
        print(f"Exchange repaired: {note}", file=sys.stderr)
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    redirect = start_http_redirect(settings) if settings.http_redirect_port else None
    deadline = time.monotonic() + timeout
    while True:
        if redirect is not None and redirect.poll() is not None:  # e.g. another program took the port just now
            tail = (state / "http-redirect.log").read_text(errors="replace")[-1000:]
            stop_hub(state)
            raise HubError(f"The http redirect on port {settings.http_redirect_port} did not start, so the hub was "
                           f"stopped again. The end of {state / 'http-redirect.log'}:\n{tail}")
        try:
            proxy_answers(settings)
            redirect_answers(settings)
            secure_state(state)
            # for `hub prestart`, on this machine; with TLS the hub's own port (plain http on 127.0.0.1)
            (state / HUB_URL_FILE).write_text(f"http://127.0.0.1:{settings.hub_port if settings.ssl_cert else settings.port}/")
            write_public_url(state, settings.public_url)
            return settings.public_url.rstrip("/") + "/"
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (state / "jupyterhub.log").read_text(errors="replace")[-2000:]
                stop_hub(state)
                raise HubError(f"JupyterHub did not come up. The end of {state / 'jupyterhub.log'}:\n{tail}")
            time.sleep(0.1)


def start_http_redirect(settings: HubSettings) -> subprocess.Popen:
    """The plain-http listener (http_redirect.py), in the hub's control group like the hub's own
    processes and marked with the hub's id, so `hub stop` ends it."""
    state = Path(settings.state_dir)
    log_fd = os.open(state / "http-redirect.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)

    def in_hub_group():
        limits.join_group(settings.hub_id, "hub", 0, settings.cgroups or None)

    try:
        return subprocess.Popen(
            [sys.executable, "-m", "leerplein.hub.http_redirect", "--port", str(settings.http_redirect_port),
             "--ip", settings.ip, "--public-url", settings.public_url],
            cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), limits.HUB_ID_ENV: settings.hub_id},
            stdin=subprocess.DEVNULL, stdout=log_fd, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=in_hub_group)
    finally:
        os.close(log_fd)


def redirect_answers(settings: HubSettings) -> None:
    """The plain-http listener answers with its redirect (OSError until it does)."""
    if not settings.http_redirect_port:
        return
    import http.client

    host = "127.0.0.1" if settings.ip in ("0.0.0.0", "127.0.0.1", "localhost") else settings.ip
    conn = http.client.HTTPConnection(host, settings.http_redirect_port, timeout=2)
    try:
        conn.request("HEAD", "/")
        if conn.getresponse().status != 301:
            raise OSError("the http redirect does not answer with a redirect")
    finally:
        conn.close()


def proxy_answers(settings: HubSettings) -> None:
    """The hub's API through its proxy, as users reach it (https with the certificate; the name
    is not checked here: this is 127.0.0.1, the certificate was checked at start)."""
    import ssl

    if settings.ssl_cert:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        urllib.request.urlopen(f"https://127.0.0.1:{settings.port}/hub/api/", timeout=2, context=context)
    else:
        urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/hub/api/", timeout=2)


def hub_ports(settings: HubSettings) -> list[int]:
    return [settings.port, settings.hub_port, settings.proxy_api_port, settings.grading_port,
            settings.peiling_port, settings.leerkring_port]


def budget_exchange(settings: HubSettings, size_mb: int, notes: list[str]) -> str | None:
    """The exchange's course folder on a file system of its own (exchange_fs.py); a warning when
    the machine cannot make one."""
    from leerplein.course.course import COURSE_ID
    from leerplein.course.intake.guard import ExchangeTampered, secure_exchange

    try:
        notes += exchange_fs.mount_budget(Path(settings.state_dir), Path(settings.exchange) / COURSE_ID, size_mb)
        notes += secure_exchange(Path(settings.exchange))  # the layout, on the mounted file system
    except exchange_fs.BudgetUnavailable as err:
        return (f"no size budget for the exchange ({err}): one student can fill the disk of the state folder. "
                f"See the README, 'Threat model'.")
    except ExchangeTampered as err:
        raise HubError(str(err)) from err
    return None


def limit_connections(settings: HubSettings) -> str | None:
    """Install the per-student connection limits (connlimit.py); a warning when they cannot be."""
    uids = [u for u in (expected_uid(s) for s in settings.students) if u is not None]
    try:
        connlimit.install(settings.hub_id, hub_ports(settings), uids)
    except connlimit.ConnLimitUnavailable as err:
        return (f"no limit on connections per student ({err}): one student can hold so many connections "
                f"that the hub becomes unreachable. Only the open-file limit per process applies. "
                f"See the README, 'Threat model'.")
    return None


def _alive(pid: int) -> bool:
    """Running, and not a zombie: a hub killed with -9 whose parent is gone stays a zombie until
    PID 1 reaps it, which a container's PID 1 may never do."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def stop_hub(state: Path, timeout: float = 30) -> bool:
    """Stop the hub (it stops the proxy, services and user servers itself), then end whatever
    is left of it: every process in the hub's control groups, whichever shell started it."""
    running = pid_file(state)
    found = False
    if running.exists():
        pid = int(running.read_text())
        if _alive(pid):
            found = True
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
        running.unlink(missing_ok=True)
    (state / HUB_URL_FILE).unlink(missing_ok=True)
    leftover = limits.end_all(limits.hub_id(state))
    connlimit.remove(limits.hub_id(state))
    exchange_fs.unmount_budget(state)
    return found or bool(leftover)
