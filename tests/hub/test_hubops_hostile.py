"""Hostile students against the hub's operations (issue 22: holes 11, 12 and 13, `hub prestart`'s
token, the exchange's disk budget), on a real hub started as the README says. hqa attacks from
her own kernel and files; hqb is an honest student who must still be served. Every load loop
goes to 127.0.0.1 only and stops by itself."""

from __future__ import annotations

import http.server
import json
import os
import pwd
import socket
import stat
import subprocess
import tarfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from hub_helpers import (user_url, A, action, answer, as_user, leerplein, port_for, reachable_base, remove_users, run_code,
                         server_token, start_course_hub, stop_course_hub)
from leerplein.hub import connlimit, exchange_fs, limits

TEACHER, HOG, OTHER, THIRD, NEWCOMER = "hqt", "hqa", "hqb", "hqc", "hqz"
BUDGET_MB = 64
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    remove_users([TEACHER, HOG, OTHER, THIRD, NEWCOMER])  # leftovers of an interrupted run
    base = reachable_base(tmp_path_factory, "hubops")
    os.environ["LEERPLEIN_EXCHANGE_MB"] = str(BUDGET_MB)  # `hub start --exchange-mb`, as cron or systemd would
    try:
        hub = start_course_hub(base, [TEACHER], [HOG, OTHER, THIRD], port_for(0))
    finally:
        del os.environ["LEERPLEIN_EXCHANGE_MB"]
    hub["port"], hub["base"] = port_for(0), base
    hub["exchange"] = hub["state"] / "exchange"
    hub["users"].append(NEWCOMER)
    yield hub
    stop_course_hub(hub)


@pytest.fixture(scope="module")
def hog(hub):
    return server_token(hub, HOG)


@pytest.fixture(scope="module")
def other(hub):
    """hqb fetches, answers and submits through her own server, as in JupyterLab."""
    headers = server_token(hub, OTHER)
    action(hub, OTHER, headers, "fetch")
    answer(hub, OTHER, headers, "Mijn reflectie.")
    action(hub, OTHER, headers, "submit")
    return headers


def inbound(hub) -> Path:
    return hub["exchange"] / "leerplein" / "inbound"


def own_submission_folder(hub, user: str) -> Path:
    """A submission folder the student makes herself in inbound (as nbgrader's submit would)."""
    folder = inbound(hub) / f"{user}+{A}+2026-12-02 10:00:00.000000 UTC+{uuid.uuid4().hex[:8]}"
    done = as_user(user, "mkdir", "-m", "700", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


def flood_code(port: int, attempts: int, hold: float, report: str, connect_for: float = 150) -> str:
    """Two processes in the student's kernel open as many connections to `port` as they can,
    hold them, and end by themselves. Each writes how many it held to `report`-<n>."""
    child = f"""
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except ValueError:
    pass
held, end = [], time.monotonic() + {connect_for}
for _ in range({attempts}):
    if time.monotonic() > end:
        break
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", {port}))
        held.append(s)
    except OSError:
        s.close()
        if len(held) >= hard - 30:
            break
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(len(held)))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep({hold})
os.remove(sys.argv[1])  # done: its connections close as it ends
"""
    return (f"import subprocess, sys\ncode = {child!r}\n"
            f"for n in range(2):\n"
            f"    subprocess.Popen([sys.executable, '-c', code, '{report}-' + str(n)], start_new_session=True,\n"
            f"                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            f"print('gestart')")


def wait_for_reports(report: str, timeout: float = 120) -> list[int]:
    deadline = time.monotonic() + timeout
    paths = [Path(f"{report}-{n}") for n in range(2)]
    while time.monotonic() < deadline:
        if all(p.exists() for p in paths):
            return [int(p.read_text()) for p in paths]
        time.sleep(0.5)
    pytest.fail(f"the flood did not report within {timeout} s")


def test_one_students_connections_do_not_lock_out_the_hub_or_others(hub, hog, other):
    """Hole 13: two processes in hqa's kernel try to hold 20,600 connections to the hub's port.
    Everyone else must still reach the hub and their own server the whole time."""
    home = Path(pwd.getpwnam(HOG).pw_dir)
    report = str(home / "flood-hub")
    started = run_code(hub, HOG, hog, flood_code(hub["port"], 10_300, hold=25, report=report))
    assert started["stdout"].strip() == "gestart", started
    held = wait_for_reports(report, timeout=240)
    samples = []
    for _ in range(5):  # while her connections are held
        for url, headers in ((f"{hub['url']}/hub/login", {}), (f"{user_url(hub, OTHER)}/api/status", other)):
            t0 = time.monotonic()
            try:
                ok = requests.get(url, headers=headers, timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            samples.append((url, ok, round(time.monotonic() - t0, 2)))
        time.sleep(1)
    assert all(ok for _, ok, _ in samples), f"held {held}; samples {samples}"
    assert sum(held) <= connlimit.HUB_PORTS_PER_STUDENT, f"hqa held {held} connections to the hub"
    # while she holds them, her own server cannot reach the hub either; the next probes need it
    deadline = time.monotonic() + 120
    while any(Path(f"{report}-{n}").exists() for n in range(2)) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)


def listening_port_of(uid: int) -> int:
    """The port a user's server listens on (found the way a student could: /proc/net/tcp)."""
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        if fields[3] == "0A" and int(fields[7]) == uid:
            return int(fields[1].rsplit(":", 1)[1], 16)
    pytest.fail(f"uid {uid} listens nowhere")


def test_the_hub_api_services_and_other_servers_are_limited_too(hub, hog, other):
    """Hole 13: the hub's API and the services' ports, and another student's own server port
    (reached directly, not through the proxy), count against the same per-student limits."""
    other_port = listening_port_of(pwd.getpwnam(OTHER).pw_uid)
    ports = [hub["port"] + n for n in range(1, 6)]
    code = (f"import socket\nheld, counts = [], []\n"
            f"for port in {ports + [other_port]}:\n"
            f"    n = 0\n"
            f"    for _ in range({connlimit.LOOPBACK_PER_STUDENT + 100} if port == {other_port} else 150):\n"
            f"        s = socket.socket(); s.settimeout(2)\n"
            f"        try:\n"
            f"            s.connect(('127.0.0.1', port)); held.append(s); n += 1\n"
            f"        except OSError:\n"
            f"            s.close()\n"
            f"    counts.append(n)\n"
            f"    for s in held: s.close()\n"
            f"    held = []\n"
            f"print(counts)")
    done = run_code(hub, HOG, hog, code, timeout=180)
    counts = json.loads(done["stdout"].strip() or "null")
    assert counts and all(c <= connlimit.HUB_PORTS_PER_STUDENT for c in counts[:-1]), done
    assert counts[-1] <= connlimit.LOOPBACK_PER_STUDENT, done
    # and an honest student's own server still works afterwards
    assert requests.get(f"{user_url(hub, OTHER)}/api/status", headers=other, timeout=10).status_code == 200


def test_a_students_open_file_limit_is_low_and_cannot_be_raised(hub, hog):
    done = run_code(hub, HOG, hog, "import resource\nprint(resource.getrlimit(resource.RLIMIT_NOFILE))\n"
                                   "try:\n    resource.setrlimit(resource.RLIMIT_NOFILE, (100000, 100000))\n"
                                   "    print('verhoogd')\nexcept ValueError:\n    print('geweigerd')")
    lines = done["stdout"].split()
    assert done["stdout"].strip().endswith("geweigerd"), done
    assert "(1024," in done["stdout"] and "1024)" in done["stdout"], done
    assert "verhoogd" not in lines


def test_students_cannot_create_anything_in_the_exchange_root(hub, hog):
    """Hole 11: the exchange root is root's (students only need to write in inbound)."""
    ex = hub["exchange"]
    assert stat.S_IMODE(os.lstat(ex).st_mode) == 0o755
    assert as_user(HOG, "mkdir", str(ex / "keten")).returncode != 0
    assert as_user(HOG, "touch", str(ex / "bestand")).returncode != 0
    assert not (ex / "keten").exists() and not (ex / "bestand").exists()


def test_a_deep_folder_chain_does_not_break_the_backup(hub, other):
    """Hole 11: a 1,200-deep chain in her own submission folder (the one place she can write).
    The backup completes, keeps everyone's work, and says what it skipped."""
    folder = own_submission_folder(hub, HOG)
    chain = as_user(HOG, "python3", "-c", "import os\nos.chdir(os.sys.argv[1])\n"
                                          "for _ in range(1200):\n    os.mkdir('d'); os.chdir('d')\n", str(folder))
    assert chain.returncode == 0, chain.stderr
    archive = hub["base"] / "diep.tar.gz"
    made = leerplein("hub", "backup", "--state-dir", str(hub["state"]), "-o", str(archive))
    assert made.returncode == 0, made.stdout + made.stderr[-2000:]
    assert "deeper than" in made.stderr and folder.name in made.stderr
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(n.startswith("exchange/leerplein/inbound/hqb+") and n.endswith(".ipynb") for n in names)
    assert not [p for p in archive.parent.iterdir() if p.name.startswith(f".{archive.name}")], "a partial archive"
    subprocess.run(["rm", "-rf", "--one-file-system", str(folder)], check=True)  # the teacher clears it


def test_a_failed_backup_leaves_no_archive(tmp_path):
    """Hole 11: a backup that fails half-way (here: a damaged database) leaves nothing that
    looks like a backup, and an older good archive at that name is kept."""
    state = tmp_path / "state"
    (state / "course").mkdir(parents=True)
    (state / "course" / "groot.txt").write_bytes(os.urandom(2**20))
    (state / "course" / "gradebook.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"oude goede backup")
    made = leerplein("hub", "backup", "--state-dir", str(state), "-o", str(archive))
    assert made.returncode != 0
    assert archive.read_bytes() == b"oude goede backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz", "state"]


def test_a_restore_on_a_new_machine_gives_no_one_a_students_files_or_a_setuid_program(hub):
    """Hole 12: hqc and hqb plant setuid copies of `id` in their submissions. On the new machine
    hqc does not exist and hqz holds her old uid; the restore must not hand hqc's files to
    hqz, and nothing restored may be setuid or setgid."""
    planted = {}
    for user in (THIRD, OTHER):
        folder = own_submission_folder(hub, user)
        done = as_user(user, "sh", "-c", f"cp /usr/bin/id '{folder}/id' && chmod 6755 '{folder}/id'")
        assert done.returncode == 0, done.stderr
        assert os.stat(folder / "id").st_mode & stat.S_ISUID
        planted[user] = folder
    archive = hub["base"] / "verhuizing.tar.gz"
    assert leerplein("hub", "backup", "--state-dir", str(hub["state"]), "-o", str(archive)).returncode == 0

    old_uid = pwd.getpwnam(THIRD).pw_uid
    remove_users([THIRD])
    subprocess.run(["useradd", "-u", str(old_uid), "--create-home", NEWCOMER], check=True)
    fresh = hub["base"] / "nieuwe-machine"
    done = leerplein("hub", "restore", str(archive), "--state-dir", str(fresh))
    assert done.returncode == 0, done.stdout + done.stderr
    restored = [Path(root) / name for root, dirs, files in os.walk(fresh) for name in dirs + files]
    assert restored
    assert not [p for p in restored if os.lstat(p).st_uid == old_uid], "hqc's files now belong to hqz"
    assert not [p for p in restored if os.lstat(p).st_mode & (stat.S_ISUID | stat.S_ISGID)], "a setuid program"
    assert "Not restored" in done.stderr and THIRD in done.stderr  # the admin learns what is missing
    theirs = fresh / planted[OTHER].relative_to(hub["state"]) / "id"
    assert theirs.is_file() and os.lstat(theirs).st_uid == pwd.getpwnam(OTHER).pw_uid  # owners by name


class Echo(http.server.BaseHTTPRequestHandler):
    """Answers 500 with the request's headers in the body (a broken proxy, or someone's trap)."""
    seen: list[str] = []

    def do_POST(self):
        Echo.seen.append(self.headers.get("Authorization", ""))
        body = f"kapot: {dict(self.headers)}".encode()
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def fake_state(base: Path, port: int, students: list[str]) -> Path:
    """A state folder whose hub died (kill -9): its address file and token are still there."""
    state = base / f"dood-{port}"
    (state / "leerkring").mkdir(parents=True)
    (state / "leerkring" / "mensen.json").write_text(json.dumps({s: {"rol": "student", "cursus": "x"} for s in students}))
    (state / "hub-url").write_text(f"http://127.0.0.1:{port}/")
    (state / "admin-token").write_text("GEHEIM-TOKEN-" + "a" * 40)
    os.chmod(state / "admin-token", 0o600)
    return state


def test_prestart_sends_the_token_only_to_roots_hub(hub):
    """While the hub is down, hqa listens on its port. `hub prestart` (from cron) must not send
    her the admin token."""
    port = hub["port"] + 5000
    state = fake_state(hub["base"], port, [OTHER])
    caught = Path(pwd.getpwnam(HOG).pw_dir) / "gevangen.txt"
    trap = subprocess.Popen(["runuser", "-u", HOG, "--", "python3", "-c", f"""
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        open({str(caught)!r}, 'a').write(self.headers.get('Authorization', '') + '\\n')
        self.send_response(201); self.end_headers()
    do_GET = do_POST
s = http.server.HTTPServer(('127.0.0.1', {port}), H)
threading.Timer(60, s.shutdown).start()
s.serve_forever()
"""])
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        done = leerplein("hub", "prestart", "--state-dir", str(state), timeout=120)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "not by the hub" in done.stderr and HOG in done.stderr
        assert not caught.exists() or "GEHEIM" not in caught.read_text(), "the token went to the student"
    finally:
        trap.kill()


def test_prestart_never_prints_the_token(hub, tmp_path):
    """cron mails what prestart prints: an error must not carry the token, even when the other
    side echoes it back."""
    server = http.server.HTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        state = fake_state(tmp_path, server.server_address[1], [OTHER])
        done = leerplein("hub", "prestart", "--state-dir", str(state), timeout=120)
        assert done.returncode == 1 and "hub answered 500" in done.stderr, done.stdout + done.stderr
        assert Echo.seen and "GEHEIM-TOKEN" in Echo.seen[0]  # it did reach root's listener
        assert "GEHEIM-TOKEN" not in done.stdout + done.stderr
    finally:
        server.shutdown()


def test_one_student_cannot_fill_the_state_disk(hub, other):
    """The exchange's budget: hqa writes at disk speed into her submission folder. She stops at
    the budget, on a file system of its own; the teacher can still write there (feedback), and
    once her file is removed, others submit again."""
    folder = own_submission_folder(hub, HOG)
    state_dev = os.stat(hub["state"]).st_dev
    filled = as_user(HOG, "dd", "if=/dev/zero", f"of={folder}/vol", "bs=1M", "count=200", timeout=300)
    assert filled.returncode != 0 and "No space left" in filled.stderr, filled.stderr
    assert os.stat(folder / "vol").st_size <= BUDGET_MB * 2**20
    assert os.stat(folder).st_dev != state_dev  # her bytes are not on the state folder's disk
    image = hub["state"] / exchange_fs.IMAGE
    assert image.stat().st_blocks * 512 <= (BUDGET_MB + 1) * 2**20
    fs = os.statvfs(inbound(hub))
    assert fs.f_blocks * fs.f_frsize <= BUDGET_MB * 2**20
    # root's reserve: feedback can still be released
    note = hub["exchange"] / "leerplein" / "feedback" / "proef.html"
    note.write_bytes(b"x" * 2**20)
    note.unlink()
    # the teacher removes her file; an honest student submits again
    (folder / "vol").unlink()
    action(hub, OTHER, other, "submit")


def test_stop_removes_the_limits_and_start_brings_back_every_submission(hub, other):
    """`hub stop` removes the connection limits and unmounts the exchange's file system;
    the next start mounts it again with every submission in it."""
    before = sorted(p.name for p in inbound(hub).iterdir())
    assert any(n.startswith(f"{OTHER}+") for n in before)
    hub_id = limits.hub_id(hub["state"])
    assert connlimit.installed(hub_id) and exchange_fs.is_mount_point(hub["exchange"] / "leerplein")
    stopped = leerplein("hub", "stop", "--state-dir", str(hub["state"]))
    assert "Stopped" in stopped.stdout, stopped.stdout + stopped.stderr
    assert not connlimit.installed(hub_id) and not exchange_fs.is_mount_point(hub["exchange"] / "leerplein")
    from hub_helpers import hub_start

    os.environ["LEERPLEIN_EXCHANGE_MB"] = str(BUDGET_MB)
    try:
        again = hub_start(hub["roster"], hub["state"], hub["port"])
    finally:
        del os.environ["LEERPLEIN_EXCHANGE_MB"]
    assert again.returncode == 0, again.stdout + again.stderr
    assert "WARNING" not in again.stderr, again.stderr
    assert connlimit.installed(hub_id) and exchange_fs.is_mount_point(hub["exchange"] / "leerplein")
    assert sorted(p.name for p in inbound(hub).iterdir()) == before
