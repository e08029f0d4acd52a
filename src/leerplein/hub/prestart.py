"""Start a group's servers shortly before a scheduled session, so that thirty people logging in
on the hour find their server waiting instead of thirty servers starting on two cores at once.

`leerplein hub prestart --course groep-a --at "2026-11-24 14:00"` waits until ten minutes
before, then starts the servers a few at a time through the hub's API. A server that is already
running is left alone; one that fails does not stop the others. The idle culler leaves prestarted
servers alone for the hub's idle timeout (an hour), so the lead time must stay below it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import aiohttp

from leerplein.hub.ports import port_in_use, port_listeners

HUB_URL_FILE = "hub-url"  # written by `hub start`: where this state folder's hub listens
IDLE_TIMEOUT = 3600


class PrestartError(RuntimeError):
    pass


@dataclass
class Started:
    user: str
    ok: bool
    seconds: float = 0.0
    already: bool = False
    error: str = ""


@dataclass
class PrestartReport:
    results: list[Started] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Started]:
        return [r for r in self.results if not r.ok]


def members(state: Path, course: str | None) -> list[str]:
    """The roster's students (of one course, or all), from the people map `hub start` wrote."""
    path = state / "leerkring" / "mensen.json"
    try:
        people = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise PrestartError(f"Cannot read who is in which course ({path}): start the hub with "
                            f"`leerplein hub start --roster ...` first.") from err
    chosen = sorted(name for name, p in people.items()
                    if p.get("rol") == "student" and (course is None or p.get("cursus") == course))
    if not chosen:
        courses = sorted({p.get("cursus") for p in people.values() if p.get("rol") == "student"})
        raise PrestartError(f"No students in course '{course}'. Courses on the roster: {', '.join(courses) or 'none'}.")
    return chosen


def hub_access(state: Path) -> tuple[str, str]:
    try:
        url = (state / HUB_URL_FILE).read_text().strip()
        token = (state / "admin-token").read_text().strip()
    except PermissionError as err:
        raise PrestartError("Only root can read the hub's admin token: run this with sudo.") from err
    except OSError as err:
        raise PrestartError(f"No running hub found in {state}: start it with `leerplein hub start`.") from err
    check_listener(url)
    return url.rstrip("/"), token


def check_listener(url: str) -> None:
    """The admin token goes only to the hub: 127.0.0.1, on a port that root's proxy holds. While
    the hub is down a student's program can listen on its port and would receive the token."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not parts.port:
        raise PrestartError(f"The stored hub address ({url}) is not this machine's hub; start the hub again "
                            f"with `leerplein hub start`.")
    listeners = port_listeners(parts.port)
    if not listeners:
        raise PrestartError(f"No running hub found at {url}: start it with `leerplein hub start`.")
    if listeners != {0}:
        raise PrestartError(f"Port {parts.port} is held by another program ({port_in_use(parts.port)}), not by "
                            f"the hub; the hub's token was not sent. Stop that program and start the hub again.")


def _redact(text: str, token: str) -> str:
    return text.replace(token, "[token]") if token else text


def start_time(at: str, lead_minutes: float, now: datetime | None = None) -> datetime:
    """When to begin: `lead_minutes` before the session at `at` ("YYYY-MM-DD HH:MM" or "HH:MM" today)."""
    now = now or datetime.now()
    try:
        session = datetime.strptime(at, "%Y-%m-%d %H:%M") if " " in at.strip() else \
            datetime.combine(now.date(), datetime.strptime(at.strip(), "%H:%M").time())
    except ValueError as err:
        raise PrestartError(f"'{at}' is not a time: use \"2026-11-24 14:00\" or \"14:00\" (today).") from err
    if lead_minutes * 60 >= IDLE_TIMEOUT:
        raise PrestartError(f"A lead of {lead_minutes:g} minutes is longer than the idle timeout "
                            f"({IDLE_TIMEOUT // 60} minutes): the servers would be stopped before the session.")
    begin = session - timedelta(minutes=lead_minutes)
    if session < now:
        raise PrestartError(f"The session at {session:%Y-%m-%d %H:%M} has already begun.")
    return max(begin, now)


async def _start_one(http: aiohttp.ClientSession, base: str, user: str, sem: asyncio.Semaphore,
                     timeout: float) -> Started:
    async with sem:
        t0 = time.perf_counter()
        try:
            async with http.post(f"{base}/hub/api/users/{user}/server", json={}) as resp:
                if resp.status == 400 and "already running" in (await resp.text()):
                    return Started(user, True, 0.0, already=True)
                if resp.status not in (201, 202):
                    return Started(user, False, error=f"hub answered {resp.status}: {(await resp.text())[:200]}")
            while time.perf_counter() - t0 < timeout:
                async with http.get(f"{base}/hub/api/users/{user}") as resp:
                    server = (await resp.json()).get("servers", {}).get("", {})
                if server.get("ready"):
                    return Started(user, True, time.perf_counter() - t0)
                if not server:
                    return Started(user, False, time.perf_counter() - t0, error="the server stopped while starting")
                await asyncio.sleep(0.25)
            return Started(user, False, time.perf_counter() - t0, error=f"not ready after {timeout:.0f} s")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            # not repr(): aiohttp's errors carry the request, with its Authorization header
            return Started(user, False, time.perf_counter() - t0, error=f"{type(err).__name__}: {err}"[:200])


async def start_servers(base: str, token: str, users: list[str], concurrency: int | None = None,
                        timeout: float = 120, on_done: Callable[[Started], None] | None = None) -> PrestartReport:
    """Start every user's server, `concurrency` at a time (default: one per CPU core)."""
    sem = asyncio.Semaphore(concurrency or os.cpu_count() or 2)
    report, t0 = PrestartReport(), time.perf_counter()
    async with aiohttp.ClientSession(headers={"Authorization": f"token {token}"},
                                     timeout=aiohttp.ClientTimeout(total=60)) as http:
        for task in asyncio.as_completed([_start_one(http, base, u, sem, timeout) for u in users]):
            result = await task
            result.error = _redact(result.error, token)  # cron mails what prestart prints
            report.results.append(result)
            if on_done:
                on_done(result)
    report.seconds = time.perf_counter() - t0
    return report
