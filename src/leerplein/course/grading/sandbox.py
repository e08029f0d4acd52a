"""Run student code in a sandbox: bubblewrap (`bwrap`) with no network, a read-only view of
the system and of the Python environment, the submission's own working copy as the only
writable place, nothing of the course directory, the gradebook, the exchange or any home
directory, and (when the grader runs as root) the unprivileged uid 65534.

Limits per submission (wall time per cell and per notebook, memory, processes, output size)
are enforced inside the sandbox by `leerplein.course.grading.runner` and around it by the parent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import leerplein

SANDBOX_UID = 65534  # nobody
WORKDIR = "/opdracht"


@dataclass(frozen=True)
class SandboxLimits:
    cell_seconds: int = 10
    notebook_seconds: int = 60
    memory_mb: int = 1024
    processes: int = 64
    output_chars: int = 20_000


class SandboxUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=1)
def sandbox_status() -> str | None:
    """None when the sandbox works here; otherwise what is wrong and how to fix it."""
    if shutil.which("bwrap") is None:
        return ("bubblewrap (bwrap) is not installed. Install it (Debian: `apt-get install bubblewrap`) "
                "or, only on a machine where student code may run as you, pass --unsafe-no-sandbox.")
    probe = subprocess.run([*bwrap_prefix(Path("/tmp")), sys.executable, "-c", "print('ok')"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0 or probe.stdout.strip() != "ok":
        return ("bwrap cannot create a sandbox here (user namespaces may be disabled: "
                "`sysctl kernel.unprivileged_userns_clone=1`). Error: " + (probe.stderr.strip()[-300:] or "none")
                + ". Or pass --unsafe-no-sandbox on a machine where student code may run as you.")
    return None


def _python_roots() -> list[Path]:
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(leerplein.__file__).resolve().parents[1]}  # the installed (or editable) package
    return sorted(roots)


def bwrap_prefix(workdir: Path) -> list[str]:
    """The bwrap command line; `workdir` becomes /opdracht, writable, and the only writable place
    apart from a private /tmp."""
    as_root = os.geteuid() == 0
    if as_root:  # namespaces without a user namespace; the command then drops to uid 65534
        cmd = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:  # an unprivileged user namespace; the command keeps the grader's uid, mapped
        cmd = ["bwrap", "--unshare-all"]
    cmd += ["--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), f"/{link}"]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), f"/{link}"]
    made = set()
    for root in _python_roots():
        for parent in reversed(root.parents[:-1]):  # world-traversable parents (bwrap's default is 0700 as root)
            if parent not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(root), str(root)]
    cmd += ["--bind", str(workdir), WORKDIR, "--chdir", WORKDIR,
            "--setenv", "HOME", "/tmp", "--setenv", "IPYTHONDIR", "/tmp/.ipython",
            "--setenv", "MPLCONFIGDIR", "/tmp/.mpl", "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--"]
    if as_root:
        cmd += ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all"]
    return cmd


def prepare_workdir(source_dir: Path, target: Path) -> Path:
    """A private working copy of the submission folder that the sandbox user may write."""
    skip_patterns = shutil.ignore_patterns(".ipynb_checkpoints", "*.db")

    def ignore(folder, names):  # links and special files never enter the copy (root must not follow them)
        plain = {n for n in names if not os.path.islink(os.path.join(folder, n))
                 and (os.path.isfile(os.path.join(folder, n)) or os.path.isdir(os.path.join(folder, n)))}
        return (set(names) - plain) | skip_patterns(folder, names)

    shutil.copytree(source_dir, target, dirs_exist_ok=True, ignore=ignore)
    if os.geteuid() == 0:
        for path in [target, *target.rglob("*")]:
            os.lchown(path, SANDBOX_UID, SANDBOX_UID)
    return target
