"""Load on the one-machine hub: N simulated students with bounded concurrency get a server,
open a notebook kernel, execute a cell through the kernel websocket, go idle, and stop.
Reports spawn p50/p95, failures and memory per idle user. Traffic only to 127.0.0.1.

    sudo .venv/bin/python benchmarks/hub_load.py [--students 100] [--concurrency 8]
        [--prefix lpload] [--port 8700] [--out FILE]

Creates system users <prefix>000.. (removed afterwards) and writes
benchmarks/results/hub_load_c<concurrency>.md (or FILE). The test suite runs it small (2 students)
so it cannot rot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hub import ROOT, memory_by_user, start_hub, user_url  # noqa: E402
PORT = 8700


async def call(method, url, token, body=None, timeout=60):
    req = HTTPRequest(url, method=method, headers={"Authorization": f"token {token}"},
                      body=None if body is None else json.dumps(body),
                      allow_nonstandard_methods=True, request_timeout=timeout)
    return await AsyncHTTPClient().fetch(req, raise_error=False)


async def one_student(name, base, admin, sem, results):
    async with sem:
        record = {"user": name, "ok": False}
        try:
            start = time.perf_counter()
            await call("POST", f"{base}/hub/api/users/{name}/server", admin, {})
            while True:
                info = json.loads((await call("GET", f"{base}/hub/api/users/{name}", admin)).body)
                if info.get("servers", {}).get("", {}).get("ready"):
                    break
                if time.perf_counter() - start > 120:
                    raise TimeoutError("spawn took over 120 s")
                await asyncio.sleep(0.2)
            record["spawn"] = time.perf_counter() - start
            token = json.loads((await call("POST", f"{base}/hub/api/users/{name}/tokens", admin, {"note": "load"})).body)["token"]
            server = user_url(base, name)
            kernel = json.loads((await call("POST", f"{server}/api/kernels", token, {"name": "python3"})).body)
            ws_url = f"{server.replace('http', 'ws', 1)}/api/kernels/{kernel['id']}/channels"
            ws = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                                                    "session": uuid.uuid4().hex, "version": "5.3"},
                                         "parent_header": {}, "metadata": {}, "channel": "shell",
                                         "content": {"code": "sum(range(10**5))", "silent": False}}))
            t0 = time.perf_counter()
            while True:
                reply = json.loads(await asyncio.wait_for(ws.read_message(), 60))
                if reply.get("msg_type") == "execute_reply" and reply["parent_header"].get("msg_id") == msg_id:
                    record["execute"] = time.perf_counter() - t0
                    record["ok"] = reply["content"]["status"] == "ok"
                    break
            ws.close()
            await call("DELETE", f"{server}/api/kernels/{kernel['id']}", token)
        except Exception as err:  # noqa: BLE001 - count it as a failure, keep the run going
            record["error"] = repr(err)[:200]
        results.append(record)


async def run(args, base, admin, names):
    sem = asyncio.Semaphore(args.concurrency)
    results = []
    await asyncio.gather(*(one_student(n, base, admin, sem, results) for n in names))
    await asyncio.sleep(3)  # idle: servers up, kernels shut down
    memory = memory_by_user(names)
    for n in names:  # stop, one after another; a failed stop is left to `hub stop`
        try:
            await call("DELETE", f"{base}/hub/api/users/{n}/server", admin, timeout=120)
        except Exception:  # noqa: BLE001
            pass
    return results, memory


def main():
    AsyncHTTPClient.configure(None, max_clients=64)
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--prefix", default="lpload", help="system user names: <prefix>000, <prefix>001, ...")
    parser.add_argument("--port", type=int, default=PORT, help="the hub's port; it also uses the next four")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    names = [f"{args.prefix}{i:03d}" for i in range(args.students)]
    hub = start_hub(names, args.port, "leerplein-hubload-")
    t0 = time.perf_counter()
    try:
        results, memory = asyncio.run(run(args, hub.base, hub.token, names))
    finally:
        hub.stop()
    wall = time.perf_counter() - t0
    spawns = sorted(r["spawn"] for r in results if "spawn" in r)
    failures = [r for r in results if not r["ok"]]
    p50 = statistics.median(spawns) if spawns else float("nan")
    p95 = spawns[min(len(spawns) - 1, int(0.95 * len(spawns)))] if spawns else float("nan")
    idle_mb = [m["rss"] / 2**20 for m in memory.values() if m["rss"]]
    idle_pss = [m["pss"] / 2**20 for m in memory.values() if m["pss"]]
    lines = ["# Hub load", "", f"{args.students} simulated students, concurrency {args.concurrency}, "
             f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB; one run, {wall:.0f} s wall.", "",
             "| measure | value | target |", "|---|---:|---|",
             f"| spawn p50 | {p50:.1f} s | |", f"| spawn p95 | {p95:.1f} s | ≤ 10 s |",
             f"| failures | {len(failures)} | 0 |",
             f"| memory per idle user (RSS, median) | {statistics.median(idle_mb) if idle_mb else float('nan'):.0f} MB | |",
             f"| memory per idle user (PSS, median) | {statistics.median(idle_pss) if idle_pss else float('nan'):.0f} MB | ≤ 110 MB |",
             f"| cell execution through the kernel websocket, median | "
             f"{statistics.median([r['execute'] for r in results if 'execute' in r] or [float('nan')]) * 1000:.0f} ms | |"]
    if failures:
        lines += ["", "Failures:", *[f"- {f['user']}: {f.get('error', 'not ok')}" for f in failures[:10]]]
    text = "\n".join(lines) + "\n"
    out = args.out or ROOT / "benchmarks" / "results" / f"hub_load_c{args.concurrency}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
