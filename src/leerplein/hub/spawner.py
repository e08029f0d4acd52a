"""JupyterHub's LocalProcessSpawner, with each student's server in the student's own control
group (see limits.py) and a private umask, and with nothing of the student left running when
the server stops."""

from __future__ import annotations

import json
import os
import resource

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Float, Integer, Unicode

from leerplein.hub import limits


class LeerpleinSpawner(LocalProcessSpawner):
    hub_id = Unicode("", config=True, help="the hub's control-group name (limits.hub_id)")
    student_memory = Integer(limits.StudentLimits.memory_bytes, config=True,
                             help="bytes of memory for all of a user's processes together")
    student_processes = Integer(limits.StudentLimits.processes, config=True, help="processes per user")
    student_cpus = Float(limits.StudentLimits.cpus, config=True, help="CPUs per user")
    teacher_group = Unicode("", config=True, help="members of this hub group get JupyterLab and teacher tools")
    student_config = Unicode("", config=True, help="Jupyter config folder put first for everyone else")
    people_file = Unicode("", config=True, help="the root-only people.json: a student's cohort for her view")

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_group) and any(g.name == self.teacher_group for g in self.user.groups)

    async def start(self):
        self.default_url = "/lab" if self.is_teacher else "/leerplein"
        return await super().start()

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
        limits.kill_group(self.hub_id, self.group)  # kernels, terminals, background jobs end too
