"""The fork server (src/leerplein/hub/zygote.py) on a real hub, as a hostile student would probe it.

It is a root process that takes requests, so: only root can ask it for a server; a child holds no
other student's token or any hub secret in its memory; a child keeps no way back to the zygote;
a request for root or an unknown user is refused; when the zygote dies, running servers go on
and the next login gets a new zygote; `hub stop` ends it. Next to the probes that must fail:
students' servers are forked, run as the student in her control group, run her notebook's code
and serve JupyterLab; teachers' servers are started from scratch as before."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from hub_helpers import as_user, port_for, reachable_base, run_code, server_token, start_course_hub, \
    stop_course_hub, user_url
from leerplein.hub import limits, zygote

ALICE, BOB, TEACHER = "zyalice", "zybob", "zydocent"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "zygote")
    hub = start_course_hub(base, [TEACHER], [ALICE, BOB], port_for(9))
    hub["socket"] = hub["state"] / "zygote" / "socket"
    yield hub
    zygotes_before = zygote_pids(hub)
    stop_course_hub(hub)
    for _ in range(50):
        if not any(Path(f"/proc/{p}").exists() for p in zygotes_before):
            break
        time.sleep(0.2)
    assert not [p for p in zygotes_before if Path(f"/proc/{p}").exists()], "hub stop left the fork server running"


def zygote_pids(hub) -> list[int]:
    """Root processes serving this hub's socket (its children run as students)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if proc.name.isdigit() and f"leerplein.hub.zygote {hub['socket']}" in cmd and proc.stat().st_uid == 0:
                found.append(int(proc.name))
        except OSError:
            pass
    return found


def server_pid(hub, user) -> int:
    """The user's server: her one process running the server (kernels run ipykernel)."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _owned(p, user) and _is_server(p)]
    assert len(pids) == 1, pids
    return pids[0]


def _owned(proc: Path, user: str) -> bool:
    import pwd

    try:
        return proc.stat().st_uid == pwd.getpwnam(user).pw_uid
    except (OSError, KeyError):
        return False


def _is_server(proc: Path) -> bool:
    try:
        cmd = (proc / "cmdline").read_bytes()
    except OSError:
        return False
    return b"leerplein.hub.zygote" in cmd or b"leerplein.hub.singleuser" in cmd


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def memory_holds(pid: int, needles: list[bytes]) -> set[bytes]:
    """Which of `needles` are anywhere in the process's readable memory (read as root)."""
    found: set[bytes] = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if "r" not in fields[1] or (len(fields) > 5 and fields[5] in ("[vvar]", "[vsyscall]")):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                chunk = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            found |= {n for n in needles if n in chunk}
    return found


def kernel_env(hub, user, headers, name: str) -> str:
    out = run_code(hub, user, headers, f"import os; print(os.environ[{name!r}])")
    assert out["status"] == "ok", out
    return out["stdout"].strip()


def test_students_servers_are_forked_and_are_the_student_teachers_are_not(hub):
    import pwd

    headers = server_token(hub, ALICE)
    pid = server_pid(hub, ALICE)
    assert parent(pid) in zygote_pids(hub), "her server is not a child of the fork server"
    status = Path(f"/proc/{pid}/status").read_text()
    uid = pwd.getpwnam(ALICE).pw_uid
    assert re.search(rf"^Uid:\s+{uid}\s+{uid}\s+{uid}\s+{uid}$", status, re.M), status
    assert re.search(r"^CapEff:\s+0+$", status, re.M), "her server kept privileges"
    assert re.search(r"^Umask:\s+0077$", status, re.M)
    assert any(f"user-{ALICE}" in g for g in limits.group_of(pid)) or limits.backend() is None
    assert f"Max open files            {limits.StudentLimits.open_files}" in Path(f"/proc/{pid}/limits").read_text()
    # her notebook's code runs, as her, in her home
    out = run_code(hub, ALICE, headers, "import os; print(os.getuid(), os.getcwd())")
    assert out["stdout"].split() == [str(uid), pwd.getpwnam(ALICE).pw_dir], out
    for page, marker in (("leerplein/", "Mijn opdrachten"), ("lab", "jupyter-config-data")):
        r = requests.get(f"{user_url(hub, ALICE)}/{page}", headers=headers)
        assert r.status_code == 200 and marker in r.text, page
    # a teacher's server is started from scratch, with JupyterLab
    server_token(hub, TEACHER)
    teacher = server_pid(hub, TEACHER)
    assert parent(teacher) not in zygote_pids(hub)
    assert b"leerplein.hub.singleuser" in Path(f"/proc/{teacher}/cmdline").read_bytes()


def test_no_other_students_token_nor_hub_secret_in_a_forked_servers_memory(hub):
    alice_h, bob_h = server_token(hub, ALICE), server_token(hub, BOB)
    alice_token = kernel_env(hub, ALICE, alice_h, "JUPYTERHUB_API_TOKEN").encode()
    bob_token = kernel_env(hub, BOB, bob_h, "JUPYTERHUB_API_TOKEN").encode()
    admin = hub["admin"]["Authorization"].split()[1].encode()
    cookie_secret = (hub["state"] / "jupyterhub_cookie_secret").read_text().strip().encode()
    proxy_pid = int((hub["state"] / "jupyterhub-proxy.pid").read_text())
    proxy_env = dict(e.split(b"=", 1) for e in Path(f"/proc/{proxy_pid}/environ").read_bytes().split(b"\0") if b"=" in e)
    proxy_token = proxy_env[b"CONFIGPROXY_AUTH_TOKEN"]
    secrets = [alice_token, bob_token, admin, cookie_secret, proxy_token]
    alice, bob = server_pid(hub, ALICE), server_pid(hub, BOB)
    # the scan finds what is there: each server holds its own token
    assert alice_token in memory_holds(alice, secrets)
    assert bob_token in memory_holds(bob, secrets)
    assert memory_holds(alice, secrets) == {alice_token}
    assert memory_holds(bob, secrets) == {bob_token}
    for z in zygote_pids(hub):
        assert memory_holds(z, secrets) == set(), "the fork server holds a token or secret its children inherit"


def test_a_student_cannot_reach_the_fork_server(hub):
    server_token(hub, ALICE)
    probe = ("import socket, json\n"
             "s = socket.socket(socket.AF_UNIX)\n"
             f"s.connect({str(hub['socket'])!r})\n"
             f"s.sendall(json.dumps({{'user': {BOB!r}, 'env': {{}}, 'args': []}}).encode() + b'\\n')\n"
             "print(s.recv(100))\n")
    # from a shell of hers and from her notebook
    shell = as_user(ALICE, sys.executable, "-c", probe)
    assert shell.returncode != 0 and "PermissionError" in shell.stderr, shell.stdout + shell.stderr
    out = run_code(hub, ALICE, server_token(hub, ALICE), probe)
    assert "PermissionError" in out["error"], out
    # her server keeps no descriptor of the zygote's: no socket it shares with the zygote
    mine = server_pid(hub, ALICE)

    def sockets(pid):
        return {os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(f).startswith("socket:")}

    for z in zygote_pids(hub):
        assert not sockets(mine) & sockets(z)


def test_the_fork_server_refuses_a_peer_that_is_not_root_even_on_an_open_socket(tmp_path):
    """Defence in depth: should the socket's folder ever be opened up, a student is still refused."""
    folder = Path("/tmp") / f"zy-zygote-{os.getpid()}"
    path = folder / "socket"
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.hub.zygote", str(path)], cwd="/",
                            env=zygote.clean_env(dict(os.environ)))
    try:
        zygote.wait_ready(proc, path)
        os.chmod(folder, 0o755)  # the misconfiguration
        os.chmod(path, 0o777)
        probe = ("import socket, json\n"
                 "s = socket.socket(socket.AF_UNIX)\n"
                 f"s.connect({str(path)!r})\n"
                 "try:\n"
                 "    s.sendall(json.dumps({'user': 'nobody', 'env': {}, 'args': []}).encode() + b'\\n')\n"
                 "except OSError:\n"
                 "    pass  # refused before it read a byte\n"
                 "print(s.recv(100).decode())\n")
        out = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-c", probe], capture_output=True,
                             text=True, timeout=60)
        assert '"error": "not root"' in out.stdout, out.stdout + out.stderr
        kids = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _is_server(p) and parent(int(p.name)) == proc.pid]
        assert kids == []
        # and root is served, but never with a server as root
        with pytest.raises(zygote.SpawnRefused, match="root"):
            zygote.spawn(path, {"user": "root", "env": {}, "args": []})
        with pytest.raises(zygote.SpawnRefused, match="no system user"):
            zygote.spawn(path, {"user": "zy-nobody-here", "env": {}, "args": []})
        with pytest.raises(zygote.SpawnRefused, match="lacks"):
            zygote.spawn(path, {"user": ["root"], "env": "x"})
    finally:
        proc.kill()
        proc.wait()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def test_servers_stop_at_the_hubs_first_signal_also_after_a_background_start(hub):
    """hub_start starts the hub as a script's background job does, with SIGINT ignored. JupyterHub
    stops a server with SIGINT and waits 10 s before it sends SIGTERM: servers that inherited the
    ignored SIGINT took 10 to 30 s to stop, and so did a password reset, which stops her server."""
    for user in (BOB, TEACHER):  # forked by the zygote; started from scratch
        server_token(hub, user)
        r = requests.delete(f"{hub['url']}/hub/api/users/{user}/server", headers=hub["admin"], timeout=60)
        assert r.status_code == 204, f"{user}: {r.status_code} (202: still stopping after 10 s)"
        assert not requests.get(f"{hub['url']}/hub/api/users/{user}", headers=hub["admin"]).json().get("servers")


def test_when_the_fork_server_dies_servers_go_on_and_the_next_login_gets_a_new_one(hub):
    headers = server_token(hub, ALICE)
    old = zygote_pids(hub)
    assert len(old) == 1
    os.kill(old[0], signal.SIGKILL)
    for _ in range(50):
        if not Path(f"/proc/{old[0]}").exists():
            break
        time.sleep(0.1)
    # Alice's server goes on
    assert requests.get(f"{user_url(hub, ALICE)}/api/status", headers=headers).status_code == 200
    # Bob logs in after the crash: a new fork server starts his server
    requests.delete(f"{hub['url']}/hub/api/users/{BOB}/server", headers=hub["admin"])
    for _ in range(120):
        if not requests.get(f"{hub['url']}/hub/api/users/{BOB}", headers=hub["admin"]).json().get("servers"):
            break
        time.sleep(0.5)
    server_token(hub, BOB)
    new = zygote_pids(hub)
    assert len(new) == 1 and new != old
    assert parent(server_pid(hub, BOB)) == new[0]
    # Alice's orphaned server can still be stopped by the hub, and nothing of hers is left
    r = requests.delete(f"{hub['url']}/hub/api/users/{ALICE}/server", headers=hub["admin"])
    assert r.status_code in (202, 204)
    for _ in range(120):
        if not requests.get(f"{hub['url']}/hub/api/users/{ALICE}", headers=hub["admin"]).json().get("servers"):
            break
        time.sleep(0.5)
    assert not requests.get(f"{hub['url']}/hub/api/users/{ALICE}", headers=hub["admin"]).json().get("servers")
    alive = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _owned(p, ALICE)
             and zygote.is_zombie_or_gone(int(p.name)) is False]
    assert alive == []
