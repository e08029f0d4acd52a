"""A class starting on the hour: N students log in within the same 10 seconds, through the real
login form, and each is timed from posting the form to a usable Leerplein: their student view
("Mijn opdrachten") loaded, and JupyterLab's page served by their own server.

Two scenarios in one run, on the same hub:
  cold      nobody's server runs; every login starts one (what happens without preparation);
  prestart  `leerplein hub prestart` started the group's servers first (timed too), then the
            same class logs in.
Then memory per idle student (RSS, and PSS: shared pages divided among the processes sharing
them, which is what adds up to the machine's memory), and the hub's, proxy's and services'.

    sudo .venv/bin/python benchmarks/class_start.py [--students 30] [--window 10]
        [--prefix lpklas] [--port 8760] [--out FILE]

Creates system users <prefix>000.. (removed afterwards); writes benchmarks/results/class_start.md
(or FILE). The test suite runs it small (2 students) so it cannot rot.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hub import ROOT, memory_by_user, public_url, start_hub, user_url  # noqa: E402
from leerplein.hub.prestart import start_servers  # noqa: E402

PORT = 8760
TIMEOUT = 120


async def log_in(base: str, user: str, password: str, delay: float) -> dict:
    await asyncio.sleep(delay)
    base = public_url(base)
    record = {"user": user, "ok": False}
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)) as http:
        t0 = time.perf_counter()
        try:
            async with http.get(f"{base}/hub/login") as resp:
                await resp.read()
            xsrf = next(c.value for c in jar if c.key == "_xsrf")
            async with http.post(f"{base}/hub/login", data={"username": user, "password": password,
                                                            "_xsrf": xsrf}) as resp:
                await resp.read()
                if resp.status != 200 or "/login" in resp.url.path:
                    raise RuntimeError(f"login failed: {resp.status} {resp.url.path}")
            view = f"{user_url(base, user)}/leerplein/"
            while True:
                async with http.get(view) as resp:
                    text = await resp.text()
                    if resp.status == 200 and resp.url.path == f"/user/{user}/leerplein/" and "Mijn opdrachten" in text:
                        break
                if time.perf_counter() - t0 > TIMEOUT:
                    raise TimeoutError(f"no student view after {TIMEOUT} s")
                await asyncio.sleep(0.5)  # the spawn-pending page polls too
            record["view"] = time.perf_counter() - t0
            async with http.get(f"{user_url(base, user)}/lab") as resp:
                page = await resp.text()
                if resp.status != 200 or "jupyter-config-data" not in page:
                    raise RuntimeError(f"JupyterLab page: {resp.status}")
            record["lab"] = time.perf_counter() - t0
            record["ok"] = True
        except Exception as err:  # noqa: BLE001 - a failure is a result; the class goes on
            record["error"] = repr(err)[:200]
    return record


async def class_logs_in(base, passwords, window, seed):
    rng = random.Random(seed)
    return await asyncio.gather(*(log_in(base, u, p, rng.uniform(0, window)) for u, p in passwords.items()))


async def stop_all(base, token, users):
    async with aiohttp.ClientSession(headers={"Authorization": f"token {token}"}) as http:
        for u in users:
            async with http.delete(f"{base}/hub/api/users/{u}/server") as resp:
                await resp.read()
        for _ in range(240):
            running = 0
            for u in users:
                async with http.get(f"{base}/hub/api/users/{u}") as resp:
                    running += bool((await resp.json()).get("servers"))
            if not running:
                return
            await asyncio.sleep(0.5)


def tree_memory(pid: int) -> tuple[float, float]:
    try:
        procs = [psutil.Process(pid)]
    except psutil.Error:
        return float("nan"), float("nan")
    rss = pss = 0
    for p in procs:
        try:
            full = p.memory_full_info()
            rss, pss = rss + full.rss, pss + full.pss
        except psutil.Error:
            pass
    return rss / 2**20, pss / 2**20


def service_memory(state: Path) -> dict[str, tuple[float, float]]:
    out = {"hub": tree_memory(int((state / "jupyterhub.pid").read_text())),
           "proxy": tree_memory(int((state / "jupyterhub-proxy.pid").read_text()))}
    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        for name, marker in (("grading service", "leerplein.hub.grading_service"), ("peiling", "leerplein.peiling.service"),
                             ("leerkring", "leerplein.leerkring.service"), ("idle culler", "jupyterhub_idle_culler")):
            if marker in cmd:
                out[name] = tree_memory(p.pid)
    return out


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def summary(name, records):
    ok = [r for r in records if r["ok"]]
    views, labs = [r["view"] for r in ok], [r["lab"] for r in ok]
    return (f"| {name} | {statistics.median(views) if views else float('nan'):.1f} s | {pct(views, .95):.1f} s | "
            f"{pct(labs, .95):.1f} s | {max(labs) if labs else float('nan'):.1f} s | {len(records) - len(ok)} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--window", type=float, default=10, help="everyone logs in within this many seconds")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--prefix", default="lpklas", help="system user names: <prefix>000, <prefix>001, ...")
    parser.add_argument("--port", type=int, default=PORT, help="the hub's port; it also uses the next four")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "class_start.md")
    args = parser.parse_args()
    users = [f"{args.prefix}{i:03d}" for i in range(args.students)]
    hub = start_hub(users, args.port, "leerplein-klas-", course="groep-a")
    state, base, token = hub.state, hub.base, hub.token
    with open(state / "initial-passwords.csv", newline="") as f:
        passwords = {row["username"]: row["password"] for row in csv.DictReader(f) if row["username"] in users}
    rows, t_wall = [], time.perf_counter()
    try:
        if not args.skip_cold:
            cold = asyncio.run(class_logs_in(base, passwords, args.window, 1))
            rows.append(summary("cold: every login starts a server", cold))
            asyncio.run(stop_all(base, token, users))
        report = asyncio.run(start_servers(base, token, users))
        warm = asyncio.run(class_logs_in(base, passwords, args.window, 2))
        rows.append(summary("prestart: `hub prestart` ran before the session", warm))
        time.sleep(5)  # idle: everyone has opened the student view and JupyterLab's page
        memory = memory_by_user(users)
        services = service_memory(state)
    finally:
        hub.stop()
    rss = [m["rss"] / 2**20 for m in memory.values() if m["rss"]]
    pss = [m["pss"] / 2**20 for m in memory.values() if m["pss"]]
    starts = [r.seconds for r in report.results if r.ok]
    failures = [r for r in [*(cold if not args.skip_cold else []), *warm] if not r["ok"]]
    lines = ["# Class start", "",
             f"{args.students} students log in through the login form within {args.window:g} s (random, seeded); "
             f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB; one run, "
             f"{time.perf_counter() - t_wall:.0f} s wall. Time from posting the login form to the student view "
             "loaded, and to JupyterLab's page served by the student's own server.", "",
             "| scenario | to student view, p50 | p95 | to JupyterLab, p95 | max | failures |",
             "|---|---:|---:|---:|---:|---:|", *rows, "",
             f"`hub prestart` (one server per core at a time): {len(starts)} of {len(users)} servers ready in "
             f"{report.seconds:.0f} s, {statistics.median(starts) if starts else float('nan'):.1f} s median each.", "",
             "## Memory after the class is in (idle: student view and JupyterLab page opened)", "",
             "| | RSS | PSS |", "|---|---:|---:|",
             f"| per student, median | {statistics.median(rss):.0f} MB | {statistics.median(pss):.0f} MB |",
             f"| per student, max | {max(rss):.0f} MB | {max(pss):.0f} MB |",
             *[f"| {name} | {r:.0f} MB | {p:.0f} MB |" for name, (r, p) in services.items()], "",
             "PSS divides shared pages (Python's libraries mapped by every server) among the processes that share "
             "them; summed over all processes it is the memory in use. RSS counts shared pages in full for each.",
             ]
    if failures:
        lines += ["", "Failures:", *[f"- {f['user']}: {f.get('error', '')}" for f in failures[:10]]]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
