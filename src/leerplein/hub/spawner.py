"""JupyterHub's LocalProcessSpawner, with each student's server in the student's own control
group (see limits.py) and a private umask, and with nothing of the student left running when
the server stops. With `fork_server` set, students' servers are forked from a process that has
imported Jupyter once (zygote.py) instead of started from scratch; teachers' servers are not."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Float, Integer, Unicode

from leerplein.hub import limits, zygote


class ForkServer:
    """The hub's one zygote: started with the hub (`launch`), again at a spawn if it has died."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.lock = asyncio.Lock()

    def launch(self, path: Path, env: dict) -> None:
        """Start importing now (the hub's config calls this), so the first login need not wait."""
        self.proc = zygote.launch_zygote(path, env)

    async def spawn(self, path: Path, request: dict, env: dict) -> int:
        failed = None
        for attempt in (1, 2):
            async with self.lock:
                if self.proc is None or self.proc is failed or self.proc.poll() is not None:
                    if self.proc is not None and self.proc.poll() is None:
                        self.proc.kill()  # it stopped answering
                    self.proc = zygote.launch_zygote(path, env)
                current = self.proc
                await asyncio.to_thread(zygote.wait_ready, current, path)
            try:
                return await asyncio.to_thread(zygote.spawn, path, request)
            except (ConnectionError, FileNotFoundError):
                if attempt == 2:
                    raise
                failed = current
        raise AssertionError("unreachable")


FORK_SERVER = ForkServer()


class LeerpleinSpawner(LocalProcessSpawner):
    hub_id = Unicode("", config=True, help="the hub's control-group name (limits.hub_id)")
    student_memory = Integer(limits.StudentLimits.memory_bytes, config=True,
                             help="bytes of memory for all of a user's processes together")
    student_processes = Integer(limits.StudentLimits.processes, config=True, help="processes per user")
    student_cpus = Float(limits.StudentLimits.cpus, config=True, help="CPUs per user")
    teacher_group = Unicode("", config=True, help="members of this hub group get JupyterLab and teacher tools")
    student_config = Unicode("", config=True, help="Jupyter config folder put first for everyone else")
    people_file = Unicode("", config=True, help="the root-only people.json: a student's cohort for her view")
    fork_server = Unicode("", config=True, help="socket of the students' fork server (zygote.py); "
                                                "empty: students' servers start from scratch too")

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_group) and any(g.name == self.teacher_group for g in self.user.groups)

    async def start(self):
        self.default_url = "/lab" if self.is_teacher else "/leerplein"
        if self.is_teacher or not self.fork_server:
            return await super().start()
        return await self.fork_start()

    async def fork_start(self):
        """Like LocalProcessSpawner.start, but the process is a child of the fork server."""
        if self.port == 0:
            from jupyterhub.utils import random_port

            self.port = random_port()
        kind = limits.backend()
        limits.make_group(self.hub_id, self.group, limits.StudentLimits(
            self.student_memory, self.student_processes, self.student_cpus), kind)
        rlimits = {"NOFILE": limits.StudentLimits.open_files}
        if kind is None:  # what `prlimit` in c.Spawner.cmd does for a server started from scratch
            rlimits.update(AS=self.student_memory, NPROC=self.student_processes)
        request = {"user": self.user.name, "env": self.get_env(), "args": self.get_args(),
                   "hub_id": self.hub_id, "cgroups": kind or "", "rlimits": rlimits}
        zygote_env = {**os.environ, limits.HUB_ID_ENV: self.hub_id}
        self.log.info("Forking a server for %s", self.user.name)
        self.pid = await FORK_SERVER.spawn(Path(self.fork_server), request, zygote_env)
        self.proc = None
        return (self.ip or "127.0.0.1", self.port)

    async def poll(self):
        if self.proc is None and self.pid and zygote.is_zombie_or_gone(self.pid):
            self.clear_state()  # a forked server whose zygote died is nobody's child: a zombie is gone
            return 0
        return await super().poll()

    @property
    def group(self) -> str:
        return f"user-{self.user.name}"

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        hub, group, kind = self.hub_id, self.group, limits.backend()
        open_files = None if self.is_teacher else limits.StudentLimits.open_files
        limits.make_group(hub, group, limits.StudentLimits(self.student_memory, self.student_processes,
                                                           self.student_cpus), kind)

        def preexec():
            limits.join_group(hub, group, 0, kind)  # still root here: join, then drop privileges
            os.umask(0o077)  # files a student makes (in /tmp too) are private unless shared on purpose
            if open_files:  # soft and hard: she cannot raise it again
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
            become_user()

        return preexec

    def get_env(self):
        env = super().get_env()
        env[limits.HUB_ID_ENV] = self.hub_id
        env["LEERPLEIN_ROLE"] = "docent" if self.is_teacher else "student"
        if not self.is_teacher and self.people_file:
            env["LEERPLEIN_COHORT"] = self.cohort()
        if not self.is_teacher and self.student_config:
            env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
                p for p in (self.student_config, env.get("JUPYTER_CONFIG_PATH", "")) if p)
        return env

    def cohort(self) -> str:
        """Her cohort as the roster says now (read as root at each start); "" when unknown."""
        from leerplein.course.cohorts import cohort_of

        try:
            with open(self.people_file, encoding="utf-8") as f:
                people = json.load(f)
        except (OSError, ValueError):
            return ""
        return cohort_of(people, self.user.name) or ""

    async def stop(self, now=False):
        await super().stop(now=now)
        # kernels, terminals, background jobs end too (in a thread: it waits until the group is empty)
        await asyncio.to_thread(limits.kill_group, self.hub_id, self.group)
