"""Limits per student, not per process, and a record of every process the hub started.

Each hub gets a control group per student (memory, number of processes, CPU) and one for
itself (JupyterHub, the proxy, the services). A student's server joins its group before it
becomes the student, so every kernel, terminal and background job of that student is counted
together, and nothing the student runs can leave the group (moving a process needs write
access to a group's files, which only root has). `leerplein hub stop` ends every process in
every group of the hub, whichever shell started it.

Backends, in order: cgroup v2 (`/sys/fs/cgroup` with the memory and pids controllers: plain
Debian 12 with systemd), cgroup v1 (separate memory, pids and cpu hierarchies: older hosts and
some containers). With neither, `prlimit` caps each process and a marker in the environment
finds the hub's processes; `leerplein hub start` says so.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path(os.environ.get("LEERPLEIN_CGROUP_ROOT", "/sys/fs/cgroup"))
V1_CONTROLLERS = ("memory", "pids", "cpu")
HUB_ID_ENV = "LEERPLEIN_HUB_ID"
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class StudentLimits:
    """Per user: all of a user's processes together. The defaults are `hub start`'s."""
    memory_bytes: int = 2 * 2**30
    processes: int = 128
    cpus: float = 1.0
    # per process (the kernel has no per-user count): bounds what one process can hold open;
    # connections per user are bounded by connlimit.py
    open_files: int = 1024


def hub_id(state_dir: Path) -> str:
    return "leerplein-" + hashlib.sha256(str(Path(state_dir).resolve()).encode()).hexdigest()[:10]


def backend() -> str | None:
    """'v2', 'v1' or None (no usable control groups: not root, or none mounted)."""
    if os.geteuid() != 0:
        return None
    controllers = CGROUP_ROOT / "cgroup.controllers"
    if controllers.is_file() and {"memory", "pids"} <= set(controllers.read_text().split()):
        return "v2"
    if all((CGROUP_ROOT / c / "cgroup.procs").is_file() for c in ("memory", "pids")):
        return "v1"
    return None


def _dirs(hub: str, group: str | None, kind: str) -> list[Path]:
    parts = [hub] + ([group] if group else [])
    if kind == "v2":
        return [CGROUP_ROOT.joinpath(*parts)]
    return [CGROUP_ROOT.joinpath(c, *parts) for c in V1_CONTROLLERS if (CGROUP_ROOT / c).is_dir()]


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _enable_v2_controllers(path: Path) -> None:
    wanted = {"memory", "pids", "cpu"}
    available = set((path / "cgroup.controllers").read_text().split())
    enabled = set((path / "cgroup.subtree_control").read_text().split())
    missing = (wanted & available) - enabled
    if missing:
        _write(path / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(missing)))


def make_group(hub: str, group: str, limits: StudentLimits | None, kind: str | None = None) -> None:
    """Create (or update) the hub's group `group`; with limits, set them."""
    kind = kind or backend()
    if kind is None:
        return
    if kind == "v2":
        _enable_v2_controllers(CGROUP_ROOT)
        (CGROUP_ROOT / hub).mkdir(exist_ok=True)
        _enable_v2_controllers(CGROUP_ROOT / hub)
    for path in _dirs(hub, group, kind):
        path.mkdir(parents=True, exist_ok=True)
        if limits is None:
            continue
        quota = int(limits.cpus * CPU_PERIOD_US)
        if kind == "v2":
            _write(path / "memory.max", str(limits.memory_bytes))
            if (path / "memory.swap.max").exists():
                _write(path / "memory.swap.max", "0")
            _write(path / "pids.max", str(limits.processes))
            if (path / "cpu.max").exists():
                _write(path / "cpu.max", f"{quota} {CPU_PERIOD_US}")
        elif path.parent.parent.name == "memory":
            _write(path / "memory.limit_in_bytes", str(limits.memory_bytes))
        elif path.parent.parent.name == "pids":
            _write(path / "pids.max", str(limits.processes))
        elif path.parent.parent.name == "cpu":
            _write(path / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(path / "cpu.cfs_quota_us", str(quota))


def join_group(hub: str, group: str, pid: int = 0, kind: str | None = None) -> None:
    """Move a process (0: the calling one) into the group. Called in the child before exec,
    while it is still root, so nothing of the student runs outside the group."""
    kind = kind or backend()
    if kind is None:
        return
    for path in _dirs(hub, group, kind):
        _write(path / "cgroup.procs", str(pid or os.getpid()))


def group_pids(hub: str, kind: str | None = None) -> set[int]:
    """Every process in any of the hub's groups."""
    kind = kind or backend()
    pids: set[int] = set()
    if kind is None:
        return pids
    for top in _dirs(hub, None, kind):
        if top.is_dir():
            for procs in top.rglob("cgroup.procs"):
                pids |= {int(p) for p in procs.read_text().split()}
    return pids


def marked_pids(hub: str) -> set[int]:
    """Without control groups: processes whose environment carries the hub's marker."""
    marker = f"{HUB_ID_ENV}={hub}".encode()
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if marker in (proc / "environ").read_bytes().split(b"\0"):
                    found.add(int(proc.name))
            except OSError:
                pass
    return found


def kill_group(hub: str, group: str, kind: str | None = None, timeout: float = 5) -> None:
    """SIGKILL every process in one group (a student's leftovers after their server stopped).
    Read and kill again until the group is empty: a process forked between reading the list
    and the kill (a shell starting its next job) would otherwise stay behind."""
    kind = kind or backend()
    paths = _dirs(hub, group, kind) if kind else []
    for path in paths:
        if (path / "cgroup.kill").is_file():  # v2 on Linux >= 5.14: the kernel kills all at once
            try:
                (path / "cgroup.kill").write_text("1")
            except OSError:
                pass
    deadline = time.monotonic() + timeout
    while True:
        pids = {int(p) for path in paths if (path / "cgroup.procs").is_file()
                for p in (path / "cgroup.procs").read_text().split()}
        if not pids or time.monotonic() > deadline:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


def memory_in_use(hub: str, group: str, kind: str | None = None) -> int | None:
    kind = kind or backend()
    if kind == "v2":
        return int((CGROUP_ROOT / hub / group / "memory.current").read_text())
    if kind == "v1":
        return int((CGROUP_ROOT / "memory" / hub / group / "memory.usage_in_bytes").read_text())
    return None


def oom_kills(hub: str, group: str, kind: str | None = None) -> int:
    """How often the kernel ended a process of this group for going over its memory."""
    kind = kind or backend()
    if kind == "v2":
        events = (CGROUP_ROOT / hub / group / "memory.events").read_text()
    elif kind == "v1":
        events = (CGROUP_ROOT / "memory" / hub / group / "memory.oom_control").read_text()
    else:
        return 0
    return int(dict(line.split() for line in events.splitlines()).get("oom_kill", 0))


def group_of(pid: int) -> set[str]:
    """The control-group paths a process is in (for checks and tests)."""
    return {line.split(":", 2)[2] for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines()}


def end_all(hub: str, timeout: float = 10) -> list[int]:
    """SIGTERM, then SIGKILL, every process of the hub; remove its groups. Returns the pids that
    were still running before the kill (empty when the hub had stopped everything itself)."""
    kind = backend()

    def alive() -> set[int]:
        pids = group_pids(hub, kind) | marked_pids(hub)
        return {p for p in pids if p != os.getpid()}

    leftover = sorted(alive())
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        for pid in alive():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not alive():
            break
    remove_groups(hub, kind)
    return leftover


def remove_groups(hub: str, kind: str | None = None) -> None:
    kind = kind or backend()
    if kind is None:
        return
    for top in _dirs(hub, None, kind):
        if top.is_dir():
            for path in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                try:
                    path.rmdir()
                except OSError:
                    pass
            try:
                top.rmdir()
            except OSError:
                pass
