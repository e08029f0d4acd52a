"""A fork server for students' Jupyter servers: Jupyter imported once, a child forked per student.

Starting `jupyterhub-singleuser` costs about two seconds of CPU, nearly all of it imports
(Jupyter Server, JupyterLab, nbgrader, the hub's ORM); thirty students on two cores wait half a
minute. The zygote is a root process that imports all of it once and then waits on a Unix socket
that only root can reach. For each spawn request the hub connects; the zygote checks that the
peer is root, forks, and goes back to waiting without reading a byte. The child reads its own
request (the student's name, her server's environment with its hub token, its arguments), joins
her control group, drops to her uid and runs the server. A child needs milliseconds instead of
seconds, and shares the imported code's memory with every other child (copy-on-write).

Why this is safe (README, "The fork server"):
- Only root reaches it: the socket lives in a root-only folder and the zygote refuses any peer
  whose uid (SO_PEERCRED) is not 0, without forking.
- The zygote reads no request, so no child's memory holds another student's token: a child's
  memory is the zygote's (imports and a clean environment, no hub secret) plus its own request.
- A child keeps nothing of the zygote: it closes every inherited descriptor but stdout and
  stderr (the listening socket first), resets signal handlers, and has no privileges left once it
  is the student. It cannot ask for another server: it cannot reach the socket.
- Refused: root, unknown users, requests over 1 MB or not sent within 10 s.
- If the zygote dies, running servers go on (they are not its threads); the hub starts a new
  zygote at the next spawn (`ZygoteClient.spawn`), and polls a server by its pid (a zombie counts
  as gone).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

MAX_REQUEST = 1 << 20
REQUEST_TIMEOUT = 10
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
# What a student's server imports; imported once in the zygote. Extensions not listed here still
# load (imported in the child), only slower.
PRELOAD = ("leerplein.hub.singleuser", "jupyterhub.singleuser", "jupyterhub.singleuser.extension",
           "jupyter_server.serverapp", "jupyterlab", "jupyterlab.labapp", "jupyterlab_jupytext", "nbgitpuller",
           "nbgitpuller.handlers", "notebook_shim", "notebook_shim.nbserver", "leerplein.student.handlers",
           "leerplein.paths", "nbgrader.server_extensions.validate_assignment",
           "nbgrader.server_extensions.assignment_list", "jupyter_server.services.kernels.kernelmanager",
           "jupyter_client.ioloop", "jupyter_server.gateway.managers", "tornado.platform.asyncio", "jinja2.ext",
           "httpcore", "IPython.core.interactiveshell", "jupyter_server.kernelspecs.handlers",
           "jupyter_server.nbconvert.handlers", "jupyter_server.services.api.handlers",
           "jupyter_server.services.config.handlers", "jupyter_server.services.contents.handlers",
           "jupyter_server.services.events.handlers", "jupyter_server.services.kernels.handlers",
           "jupyter_server.services.kernelspecs.handlers", "jupyter_server.services.nbconvert.handlers",
           "jupyter_server.services.security.handlers", "jupyter_server.services.sessions.handlers",
           "jupyter_server.services.shutdown", "jupyter_server.view.handlers",
           "jupyter_server.services.kernels.websocket", "jupyter_server.services.kernels.connection.channels",
           "jupyterlab_server.handlers", "jupyterlab_server.translations_handler",
           "jupyterlab_server.settings_handler", "jupyterlab_server.listings_handler",
           "jupyterlab_server.themes_handler", "jupyterlab_server.workspaces_handler")
# The only environment the zygote keeps from the hub: nothing secret may be inherited by children.
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LEERPLEIN_HUB_ID", "LEERPLEIN_ROOT", "MALLOC_ARENA_MAX")


class SpawnRefused(RuntimeError):
    pass


def _prctl(option: int, value: int) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """The zygote's environment: the hub's minus everything not in KEPT_ENV (the proxy's token,
    the hub's crypt key, sudo's variables)."""
    return {k: v for k, v in env.items() if k in KEPT_ENV}


def peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def private_folder(folder: Path) -> None:
    """The socket's folder: root's, 0700, not a link (nobody else can put a socket there)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != os.geteuid():
        raise SystemExit(f"{folder} must be a folder of root's own, not a link.")
    os.chmod(folder, 0o700)


def listen(path: Path) -> socket.socket:
    private_folder(path.parent)
    temp = path.with_name(path.name + f".{os.getpid()}")
    temp.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(temp))
    os.chmod(temp, 0o600)
    sock.listen(64)
    os.replace(temp, path)  # ready: clients connect only once everything is imported
    return sock


def preload(modules=PRELOAD) -> None:
    for name in ("rfc3987_syntax",):  # as leerplein.hub.singleuser does
        sys.modules.setdefault(name, None)
    for name in modules:
        try:
            __import__(name)
        except Exception as err:  # noqa: BLE001 - a missing extension only makes children slower
            print(f"zygote: {name} not preloaded: {err!r}", file=sys.stderr)
    gc.collect()
    gc.freeze()  # the garbage collector would otherwise write to (and so copy) every shared page


def _reap(*_):
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(path: Path, allowed_uid: int = 0) -> None:
    """The zygote's loop: accept, check the peer, fork. Never reads a request."""
    sock = listen(path)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        conn, _ = sock.accept()
        try:
            handle(conn, sock, allowed_uid)
        except OSError as err:
            print(f"zygote: {err!r}", file=sys.stderr)
        finally:
            conn.close()


def handle(conn: socket.socket, listener: socket.socket, allowed_uid: int = 0) -> int | None:
    """Fork a child for one connection from root; refuse anyone else without forking."""
    if peer_uid(conn) != allowed_uid:
        conn.sendall(b'{"error": "not root"}\n')
        return None
    pid = os.fork()
    if pid == 0:
        child(conn, listener)  # never returns
    return pid


def read_request(conn: socket.socket) -> dict:
    conn.settimeout(REQUEST_TIMEOUT)
    data, deadline = b"", time.monotonic() + REQUEST_TIMEOUT
    while not data.endswith(b"\n"):
        if time.monotonic() > deadline or len(data) > MAX_REQUEST:
            raise SpawnRefused("request too large or too slow")
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    try:
        request = json.loads(data)
    except ValueError as err:
        raise SpawnRefused("request is not JSON") from err
    if not isinstance(request, dict) or not isinstance(request.get("user"), str) \
            or not isinstance(request.get("env"), dict) or not isinstance(request.get("args", []), list):
        raise SpawnRefused("request lacks user, env or args")
    return request


def become_student(request: dict) -> None:
    """Still root: limits first (the control group, the umask, rlimits), then the student's uid."""
    import pwd
    import resource

    from jupyterhub.spawner import set_user_setuid

    from leerplein.hub import limits

    try:
        entry = pwd.getpwnam(request["user"])
    except KeyError as err:
        raise SpawnRefused(f"no system user {request['user']!r}") from err
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise SpawnRefused("never a server as root")
    kind = request.get("cgroups") or None
    if kind:
        limits.join_group(request["hub_id"], f"user-{request['user']}", 0, kind)
    os.umask(0o077)
    for name, value in (request.get("rlimits") or {}).items():
        resource.setrlimit(getattr(resource, f"RLIMIT_{name}"), (value, value))
    set_user_setuid(request["user"], chdir=True)()
    if os.getuid() != entry.pw_uid or os.geteuid() != entry.pw_uid or os.getegid() != entry.pw_gid:
        raise SpawnRefused("could not become the student")
    _prctl(PR_SET_DUMPABLE, 1)  # as after exec: her own server is hers to inspect, as before


def child(conn: socket.socket, listener: socket.socket) -> None:
    """In the forked child, still root. Ends the process; never returns to the zygote's loop."""
    code = 1
    try:
        listener.close()
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        # the hub stops a server with SIGINT first; a hub started from a background job would
        # otherwise pass on an ignored SIGINT, and every stop waited out the 10 s before SIGTERM
        signal.signal(signal.SIGINT, signal.default_int_handler)
        keep = conn.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 1 << 16)
        os.setsid()  # as LocalProcessSpawner's start_new_session
        request = read_request(conn)
        become_student(request)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        conn.close()
        run_server(request)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException as err:  # noqa: BLE001 - tell the hub, never go back to the zygote's loop
        try:
            conn.sendall(json.dumps({"error": f"{type(err).__name__}: {err}"[:300]}).encode() + b"\n")
        except OSError:
            pass
        print(f"zygote child: {err!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_server(request: dict) -> None:
    import tempfile

    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    tempfile.tempdir = None  # in case an import computed it as root
    sys.argv = ["jupyterhub-singleuser", *[str(a) for a in request.get("args", [])]]
    from leerplein.hub.singleuser import main

    raise SystemExit(main())


# --- the hub's side ----------------------------------------------------------------------------

def spawn(path: Path, request: dict, timeout: float = 30) -> int:
    """Ask the zygote at `path` for a server; the child's pid. Blocking: call it in a thread."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(json.dumps(request).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    try:
        answer = json.loads(reply)
    except ValueError as err:
        raise SpawnRefused(f"no answer from the fork server ({reply[:100]!r})") from err
    if "pid" not in answer:
        raise SpawnRefused(answer.get("error", "unknown error"))
    return int(answer["pid"])


def launch_zygote(path: Path, env: dict[str, str]):
    """Start a zygote (root) that will serve `path`; it listens once it has imported everything."""
    import subprocess

    path.unlink(missing_ok=True)
    env = {**clean_env(env), "MALLOC_ARENA_MAX": "2"}  # as students' servers have (jupyterhub_config.py)
    return subprocess.Popen([sys.executable, "-m", "leerplein.hub.zygote", str(path)], env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True, cwd="/")


def wait_ready(proc, path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SpawnRefused(f"the fork server ended at its start ({proc.returncode})")
        if path.exists():  # bound under a temporary name, renamed once it listens
            return
        time.sleep(0.05)
    proc.kill()
    raise SpawnRefused(f"the fork server did not start within {timeout:.0f} s")


def is_zombie_or_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m leerplein.hub.zygote SOCKET", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("The fork server drops to each student's uid, so it runs as root.", file=sys.stderr)
        return 2
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # ends with the hub that started it
    preload()
    serve(Path(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
