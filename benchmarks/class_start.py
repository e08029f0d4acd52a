"""A class starting on the hour: N students log in within the same 10 seconds, through the real
login form, and each is timed from posting the form to a usable Leerplein: their student view
("Mijn opdrachten") loaded, and JupyterLab's page served by their own server.

Two hubs, one after the other, in one run (before and after side by side):
  from scratch  `hub start --no-fork-server`: every student's server is a new Python process
                that imports Jupyter itself (as teachers' servers are);
  fork server   `hub start` (default): students' servers are forked from the zygote, a process
                that imported Jupyter once (src/leerplein/hub/zygote.py).
On each: cold (nobody's server runs; every login starts one), then memory per idle student (RSS,
and PSS: shared pages divided among the processes sharing them, which is what adds up to the
machine's memory), and the hub's, proxy's and services'. On the fork-server hub also: prestart
(`leerplein hub prestart` started the servers first, timed too; then the same class logs in).
The machine's load average is printed with each scenario: other work on the machine slows it.

    sudo .venv/bin/python benchmarks/class_start.py [--students 30] [--window 10]
        [--spawners scratch,fork] [--prefix lpklas] [--port 8760] [--out FILE]

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
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as http:
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
    """The hub's own processes (not those of other hubs on the machine: their environment carries
    another hub id)."""
    from leerplein.hub.limits import HUB_ID_ENV, hub_id

    mine = hub_id(state)
    out = {"hub": tree_memory(int((state / "jupyterhub.pid").read_text())),
           "proxy": tree_memory(int((state / "jupyterhub-proxy.pid").read_text()))}
    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        try:
            if "leerplein" not in cmd and "jupyterhub_idle_culler" not in cmd or p.environ().get(HUB_ID_ENV) != mine:
                continue
        except psutil.Error:
            continue
        if marker_is_zygote(p, cmd):
            out["fork server (zygote)"] = tree_memory(p.pid)
        for name, marker in (("grading service", "leerplein.hub.grading_service"), ("peiling", "leerplein.peiling.service"),
                             ("leerkring", "leerplein.leerkring.service"), ("idle culler", "jupyterhub_idle_culler")):
            if marker in cmd:
                out[name] = tree_memory(p.pid)
    return out


def marker_is_zygote(proc, cmd: str) -> bool:
    try:  # its children carry the same command line, but run as the students
        return "leerplein.hub.zygote" in cmd and proc.username() == "root"
    except psutil.Error:
        return False


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def summary(name, records):
    ok = [r for r in records if r["ok"]]
    views, labs = [r["view"] for r in ok], [r["lab"] for r in ok]
    return (f"| {name} | {statistics.median(views) if views else float('nan'):.1f} s | {pct(views, .95):.1f} s | "
            f"{pct(labs, .95):.1f} s | {max(labs) if labs else float('nan'):.1f} s | {len(records) - len(ok)} |")


def cpu_seconds(pids) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def hub_pids(state: Path) -> dict[str, list[int]]:
    out = {"hub": [int((state / "jupyterhub.pid").read_text())],
           "proxy": [int((state / "jupyterhub-proxy.pid").read_text())], "fork server": []}
    for p in psutil.process_iter(["cmdline"]):
        if marker_is_zygote(p, " ".join(p.info["cmdline"] or [])) and str(state) in " ".join(p.info["cmdline"]):
            out["fork server"].append(p.pid)
    return out


def students_cpu(users: list[str]) -> float:
    return cpu_seconds(p.pid for p in psutil.process_iter(["username"]) if p.info["username"] in users)


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_hub(args, users: list[str], fork: bool) -> dict:
    """One hub: cold class, memory when idle, and (fork server only) the prestart scenario."""
    name = "fork server" if fork else "from scratch"
    hub = start_hub(users, args.port, "leerplein-klas-", course="groep-a",
                    extra=() if fork else ("--no-fork-server",))
    with open(hub.state / "initial-passwords.csv", newline="") as f:
        passwords = {row["username"]: row["password"] for row in csv.DictReader(f) if row["username"] in users}
    out = {"name": name, "rows": [], "failures": [], "report": None}
    try:
        before, pids = load(), hub_pids(hub.state)
        cpu0 = {name: cpu_seconds(p) for name, p in pids.items()}
        cold = asyncio.run(class_logs_in(hub.base, passwords, args.window, 1))
        out["rows"].append(summary(f"{name}: cold, every login starts a server", cold) + f" {before} |")
        out["failures"] += [dict(r, scenario=f"{name} cold") for r in cold if not r["ok"]]
        time.sleep(5)  # idle: everyone has opened the student view and JupyterLab's page
        out["cpu"] = {name: cpu_seconds(p) - cpu0[name] for name, p in pids.items()}
        out["cpu"]["students' servers"] = students_cpu(users)
        out["memory"], out["services"] = memory_by_user(users), service_memory(hub.state)
        if fork and not args.skip_prestart:
            asyncio.run(stop_all(hub.base, hub.token, users))
            before = load()
            out["report"] = asyncio.run(start_servers(hub.base, hub.token, users))
            warm = asyncio.run(class_logs_in(hub.base, passwords, args.window, 2))
            out["rows"].append(summary(f"{name}: prestart, `hub prestart` ran first", warm) + f" {before} |")
            out["failures"] += [dict(r, scenario=f"{name} prestart") for r in warm if not r["ok"]]
    finally:
        hub.stop()
    return out


def memory_rows(results: list[dict], students: int) -> list[str]:
    def mb(values):
        return [v / 2**20 for v in values if v]

    cells = {}
    for res in results:
        rss, pss = mb(m["rss"] for m in res["memory"].values()), mb(m["pss"] for m in res["memory"].values())
        zygote = res["services"].get("fork server (zygote)", (0.0, 0.0))[1]
        cells.setdefault("per student, median", []).append(
            f"{statistics.median(rss):.0f} MB | {statistics.median(pss):.0f} MB" if rss else "- | -")
        cells.setdefault("per student, max", []).append(f"{max(rss):.0f} MB | {max(pss):.0f} MB" if rss else "- | -")
        cells.setdefault("per student with her share of the fork server (PSS)", []).append(
            f"| {statistics.median(pss) + zygote / students:.0f} MB" if pss else "| -")
        for name in ("hub", "proxy", "fork server (zygote)", "grading service", "peiling", "leerkring", "idle culler"):
            r, p = res["services"].get(name, (None, None))
            cells.setdefault(name, []).append(f"{r:.0f} MB | {p:.0f} MB" if r is not None else "- | -")
    return [f"| {name} | " + " | ".join(v) + " |" for name, v in cells.items()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--window", type=float, default=10, help="everyone logs in within this many seconds")
    parser.add_argument("--spawners", default="scratch,fork", help="which hubs, in this order: scratch, fork")
    parser.add_argument("--skip-prestart", action="store_true")
    parser.add_argument("--prefix", default="lpklas", help="system user names: <prefix>000, <prefix>001, ...")
    parser.add_argument("--port", type=int, default=PORT, help="the hub's port; it also uses the next five")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "class_start.md")
    args = parser.parse_args()
    users = [f"{args.prefix}{i:03d}" for i in range(args.students)]
    spawners = [s.strip() for s in args.spawners.split(",") if s.strip()]
    if not spawners or set(spawners) - {"scratch", "fork"}:
        raise SystemExit("--spawners: scratch, fork or both (scratch,fork)")
    t_wall, load_start = time.perf_counter(), load()
    results = [run_hub(args, users, s == "fork") for s in spawners]
    names = [r["name"] for r in results]
    lines = ["# Class start", "",
             f"{args.students} students log in through the login form within {args.window:g} s (random, seeded); "
             f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB; one run, "
             f"{time.perf_counter() - t_wall:.0f} s wall ({load_start} at the start, {load()} at the end: "
             "other work on the machine slows every figure). Time from posting the login form to the student "
             "view loaded, and to JupyterLab's page served by the student's own server.", "",
             "| scenario | to student view, p50 | p95 | to JupyterLab, p95 | max | failures | machine before |",
             "|---|---:|---:|---:|---:|---:|---|", *[row for r in results for row in r["rows"]], ""]
    for r in results:
        if r["report"] is not None:
            starts = [x.seconds for x in r["report"].results if x.ok]
            lines += [f"`hub prestart` on the {r['name']} hub (one server per core at a time): {len(starts)} of "
                      f"{len(users)} servers ready in {r['report'].seconds:.0f} s, "
                      f"{statistics.median(starts) if starts else float('nan'):.1f} s median each.", ""]
    lines += ["## CPU the cold class used", "",
              "CPU seconds from the first login to the class being in (the fork server's own imports happened "
              "at `hub start`, before). The sum divided by the cores is the least a cold class takes on an "
              "otherwise idle machine; the hub works on one core.", "",
              "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for part in ("students' servers", "hub", "proxy", "fork server"):
        lines.append(f"| {part} | " + " | ".join(f"{r['cpu'][part]:.1f} s" for r in results) + " |")
    lines += ["| per student (all parts) | " + " | ".join(
        f"{sum(r['cpu'].values()) / args.students:.2f} s" for r in results) + " |",
        f"| all parts / {os.cpu_count()} cores | " + " | ".join(
        f"{sum(r['cpu'].values()) / (os.cpu_count() or 1):.1f} s" for r in results) + " |", ""]
    lines += ["## Memory after the cold class is in (idle: student view and JupyterLab page opened)", "",
              "| | " + " | ".join(f"{n}: RSS | PSS" for n in names) + " |",
              "|---|" + "---:|---:|" * len(names), *memory_rows(results, args.students), "",
              "PSS divides shared pages (Python's libraries mapped by every server) among the processes that share "
              "them; summed over all processes it is the memory in use. RSS counts shared pages in full for each. "
              "A forked server shares the fork server's imported code, so its PSS shrinks as more students log in."]
    failures = [f for r in results for f in r["failures"]]
    if failures:
        lines += ["", "Failures:", *[f"- {f['scenario']}, {f['user']}: {f.get('error', '')}" for f in failures[:10]]]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
