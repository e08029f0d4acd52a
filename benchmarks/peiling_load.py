"""Peiling under a full room: N participants join and answer within a few seconds, each phone
keeps its live stream open, and a projector view watches the results.

Measured in one run: answers lost (accepted by the service but missing from the results),
the time from sending an answer until the projector view shows it (p50/p95/max), and the
service's memory (resident, peak) and CPU time. The service runs as `leerplein peiling start`,
a separate process, on 127.0.0.1.

    .venv/bin/python benchmarks/peiling_load.py [--participants 300,1000] [--seconds 10] [--flood]
        [--before COMMIT] [--out FILE] [--profile FILE]

The committed results (benchmarks/results/peiling_load.md) come from
`--participants 300,1000 --flood --before e2fb561`: today's service and the one before issue 28's
changes, side by side, in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def cookies_from(response, jar: dict) -> dict:
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


async def stream(client, url: str, seen: list | None, stop: asyncio.Event, cookie: str = ""):
    """Follow the server-sent events; record (time, answers counted) when `seen` is a list."""
    buffer = [""]

    def on_chunk(chunk: bytes):
        if seen is None:  # a phone's stream: held open and read, not measured
            return
        buffer[0] += chunk.decode()
        while "\n\n" in buffer[0]:
            event, buffer[0] = buffer[0].split("\n\n", 1)
            if event.startswith("data: "):
                seen.append((time.monotonic(), json.loads(event[6:])["resultaten"]["aantal"]))

    request = HTTPRequest(url, streaming_callback=on_chunk, request_timeout=3600, connect_timeout=30,
                          headers={"Cookie": cookie} if cookie else None)
    task = asyncio.ensure_future(client.fetch(request, raise_error=False))
    await stop.wait()
    task.cancel()


async def participant(*args):
    """A phone; an error of the client (a timeout, a closed connection) counts as a failure."""
    try:
        await phone(*args)
    except Exception as err:  # noqa: BLE001
        args[6].append(f"error {type(err).__name__}")


async def phone(client, base: str, code: str, delay: float, sent: list, accepted: list, failures: list,
                streams: list, stop: asyncio.Event, choice: str):
    await asyncio.sleep(delay)
    jar: dict = {}
    page = await client.fetch(f"{base}p/{code}", raise_error=False, request_timeout=60, connect_timeout=60)
    cookies_from(page, jar)
    if page.code != 200:
        failures.append(f"join {page.code}")
        return
    # with the device cookie, as the phone's browser sends it (streams without one are capped per address)
    streams.append(asyncio.ensure_future(stream(client, f"{base}p/{code}/stroom", None, stop, cookie_header(jar))))
    body = urlencode({"_xsrf": jar["_xsrf"], "vraag": "0", "antwoord": choice})
    start = time.monotonic()
    response = await client.fetch(f"{base}p/{code}", method="POST", body=body, raise_error=False,
                                  headers={"Cookie": cookie_header(jar)}, request_timeout=60,
                                  connect_timeout=60)
    if response.code == 200 and b"Je antwoord is ontvangen" in response.body:
        sent.append(start)
        accepted.append(time.monotonic())
    else:
        failures.append(f"answer {response.code}")


async def scripted_device(client, base: str, code: str, until: float, flood: dict, address: str):
    """One device in a loop from its own address, one request at a time, for the whole window: first
    it answers again and again with its own cookie, then it joins again and again without one."""
    async def fetch(url, **kw):
        try:
            return await client.fetch(HTTPRequest(url, network_interface=address, request_timeout=10, **kw),
                                      raise_error=False)
        except Exception:  # noqa: BLE001 - a timeout under load counts as not served
            return None

    jar: dict = {}
    cookies_from(await fetch(f"{base}p/{code}"), jar)
    half = time.monotonic() + (until - time.monotonic()) / 2
    while time.monotonic() < half:
        body = urlencode({"_xsrf": jar["_xsrf"], "vraag": "0", "antwoord": "Een"})
        r = await fetch(f"{base}p/{code}", method="POST", body=body, headers={"Cookie": cookie_header(jar)})
        flood["answers_tried"] += 1
        flood["answers_accepted"] += r is not None and r.code == 200
    while time.monotonic() < until:
        r = await fetch(f"{base}p/{code}")
        flood["joins_tried"] += 1
        flood["joins_given_a_device"] += r is not None and r.code == 200 and "peiling-apparaat=" in "".join(
            r.headers.get_list("Set-Cookie"))


async def setup(login: str, base: str) -> tuple[str, str]:
    """The facilitator logs in, makes a poll and opens its projector screen: (code, her cookies)."""
    client = AsyncHTTPClient()
    jar: dict = {}
    cookies_from(await client.fetch(login, follow_redirects=False, raise_error=False), jar)
    cookies_from(await client.fetch(f"{base}begeleider", headers={"Cookie": cookie_header(jar)}), jar)
    made = await client.fetch(f"{base}begeleider", method="POST", follow_redirects=False, raise_error=False,
                              headers={"Cookie": cookie_header(jar)},
                              body=urlencode({"_xsrf": jar["_xsrf"], "titel": "Belasting",
                                              "vragen": "keuze: Wat kies je? | Een | Twee | Drie"}))
    code = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    # the facilitator opens the projector screen from the hall's network, as in a real session
    cookies_from(await client.fetch(f"{base}scherm/{code}", headers={"Cookie": cookie_header(jar)}), jar)
    return code, cookie_header(jar)


def projector_process(url: str, cookie: str, stop, out) -> None:
    """The projector, a machine of its own: follows the stream and reports (time, count) per event."""
    async def main():
        seen: list = []
        done = asyncio.Event()
        task = asyncio.ensure_future(stream(AsyncHTTPClient(), url, seen, done, cookie))
        while not seen:
            await asyncio.sleep(0.01)
        out.put("ready")
        while not stop.is_set():
            await asyncio.sleep(0.05)
        done.set()
        await task
        return seen

    logging.getLogger("tornado").setLevel(logging.CRITICAL)
    out.put(asyncio.run(main()))


def flood_process(base: str, code: str, began: float, until: float, out) -> None:
    """The scripted device, a machine of its own (in the phones' process its busy loop would
    delay the phones' own requests, and so their measured latency)."""
    async def main():
        await asyncio.sleep(max(0.0, began - time.monotonic()))
        scripted = dict(answers_tried=0, answers_accepted=0, joins_tried=0, joins_given_a_device=0)
        # from 127.0.0.2: another network than the hall's (a laptop on mobile data, a server)
        await scripted_device(AsyncHTTPClient(), base, code, until, scripted, "127.0.0.2")
        out.put(scripted)

    logging.getLogger("tornado").setLevel(logging.CRITICAL)
    asyncio.run(main())


def phones_process(base: str, code: str, count: int, began: float, window: float, seed: int, stop, out) -> None:
    """`count` phones, in a process of their own."""
    async def main():
        AsyncHTTPClient.configure(None, max_clients=count * 2 + 20)
        client, rng = AsyncHTTPClient(), random.Random(seed)
        sent, accepted, failures, streams = [], [], [], []
        hold = asyncio.Event()
        await asyncio.sleep(max(0.0, began - time.monotonic()))
        tasks = [participant(client, base, code, began + rng.uniform(0, window) - time.monotonic(), sent, accepted,
                             failures, streams, hold, rng.choice(["Een", "Twee", "Drie"])) for _ in range(count)]
        await asyncio.gather(*tasks)
        out.put(dict(seed=seed, sent=sent, accepted=accepted, failures=failures, cpu=time.process_time()))
        while not stop.is_set():  # the phones keep their streams open until the room is measured
            await asyncio.sleep(0.1)
        hold.set()
        for task in streams:
            task.cancel()

    logging.getLogger("tornado").setLevel(logging.CRITICAL)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    asyncio.run(main())


def run(participants: int, seconds: float, profile: Path | None = None, flood: bool = False,
        source: Path | None = None, clients: int = 2) -> dict:
    """One room: the service from this checkout (or from `source`, another commit's src/). The
    phones run in `clients` processes and the projector in one more, so that no single client
    process, busy with a thousand connections, delays what it measures."""
    state = Path(tempfile.mkdtemp(prefix="peiling-bench-"))
    port = 8800 + (os.getpid() + random.randrange(1000)) % 90
    profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
    env = {**os.environ, "PYTHONPATH": str(source)} if source else None
    proc = subprocess.Popen([sys.executable, *profiler, "-m", "leerplein.cli", "peiling", "start", "--port", str(port),
                             "--state-dir", str(state)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    ctx = multiprocessing.get_context("spawn")
    workers: list = []
    stop = ctx.Event()
    try:
        line = ""
        while "Facilitator" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError("peiling did not start")
        login = re.search(r"(http://\S+sleutel=\S+)", line).group(1)
        # keep reading its log: a full pipe would block the service at its next log line (a flood's 429s)
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        base = f"http://127.0.0.1:{port}/"
        code, facilitator = asyncio.run(setup(login, base))
        mem_before, _ = memory_mb(proc.pid)
        cpu_before = cpu_seconds(proc.pid)

        screen_out, phones_out = ctx.Queue(), ctx.Queue()
        workers.append(ctx.Process(target=projector_process, args=(f"{base}p/{code}/stroom", facilitator, stop,
                                                                   screen_out)))
        workers[0].start()
        assert screen_out.get(timeout=120) == "ready"
        began = time.monotonic() + 2.0  # the phone processes start meanwhile
        window = seconds * 0.8  # everyone starts within the first 80% of the window
        shares = [participants // clients + (i < participants % clients) for i in range(clients)]
        for i, share in enumerate(shares):
            workers.append(ctx.Process(target=phones_process, args=(
                base, code, share, began, window, i, stop, phones_out)))
            workers[-1].start()
        flood_out = ctx.Queue()
        if flood:
            workers.append(ctx.Process(target=flood_process, args=(base, code, began, began + seconds, flood_out)))
            workers[-1].start()
        parts = sorted((phones_out.get(timeout=300) for _ in shares), key=lambda p: p["seed"])
        # the last phone's answer accepted (the scripted device's loop may end later)
        answered_in = max([t for p in parts for t in p["accepted"]] or [time.monotonic()]) - began
        time.sleep(1.0)
        rss, peak = memory_mb(proc.pid)
        cpu = cpu_seconds(proc.pid) - cpu_before
        stop.set()
        projector = screen_out.get(timeout=60)
        sent = [t for p in parts for t in p["sent"]]
        accepted = [t for p in parts for t in p["accepted"]]
        failures = [f for p in parts for f in p["failures"]]
        scripted = flood_out.get(timeout=120) if flood else {"answers_accepted": 0}
        final = projector[-1][1] if projector else 0
        # the k-th answer the service accepted shows on the projector at the first event counting >= k
        # (the scripted device's one counted answer comes on top of the hall's)
        counted_flood = 1 if scripted["answers_accepted"] else 0
        order = sorted(zip(accepted, sent))
        latencies = []
        for k, (_, t_sent) in enumerate(order, 1):
            shown = next((t for t, n in projector if n >= k and t >= t_sent), None)
            latencies.append((shown - t_sent) * 1000 if shown else float("inf"))
        finite = sorted(x for x in latencies if x != float("inf"))
        result = {
            "participants": participants, "answered_within_s": round(answered_in, 2), "accepted": len(accepted),
            "failures": len(failures), "failure_kinds": " ".join(sorted(set(failures))) or "-",
            "counted_on_projector": final - counted_flood, "lost": len(accepted) - (final - counted_flood),
            "never_shown": sum(1 for x in latencies if x == float("inf")),
            "latency_ms_p50": round(statistics.median(finite), 1) if finite else None,
            "latency_ms_p95": round(finite[int(0.95 * (len(finite) - 1))], 1) if finite else None,
            "latency_ms_max": round(finite[-1], 1) if finite else None,
            "projector_events": len(projector), "rss_mb_before": round(mem_before, 1), "rss_mb_after": round(rss, 1),
            "rss_mb_peak": round(peak, 1), "cpu_seconds": round(cpu, 2),
            "cpu_percent_of_one_core": round(100 * cpu / answered_in, 1),
            # the simulated phones run on the same cores as the service; real phones bring their own
            "phones_cpu_seconds": round(sum(p["cpu"] for p in parts), 2),
        }
        if flood:
            result.update({f"script_{k}": v for k, v in scripted.items()})
        return result
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
        proc.send_signal(signal.SIGINT)  # the service stops cleanly (and a profile is written)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def source_of(commit: str) -> Path:
    """Another commit's src/, unpacked to a temporary folder, to measure it in the same run."""
    folder = Path(tempfile.mkdtemp(prefix="peiling-before-"))
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", default="300", help="one size or several, e.g. 300,1000")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--flood", action="store_true",
                        help="also the largest room with one scripted device answering and joining in a loop")
    parser.add_argument("--before", metavar="COMMIT", help="also measure the service as it was at COMMIT, same run")
    parser.add_argument("--clients", type=int, default=2, help="processes the phones run in")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--profile", type=Path, help="write the service's cProfile statistics here (first case)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.participants.split(",")]
    cases = [(f"{n}", dict(participants=n)) for n in sizes]
    if args.flood:
        cases.append((f"{sizes[-1]} + flood", dict(participants=sizes[-1], flood=True)))
    if args.before:
        old = source_of(args.before)
        cases += [(f"{name}, before ({args.before[:7]})", dict(kw, source=old)) for name, kw in cases]
    loads, results = [load()], {}
    for i, (name, kw) in enumerate(cases):
        results[name] = run(seconds=args.seconds, profile=args.profile if i == 0 else None, clients=args.clients, **kw)
        loads.append(load())
        print(name, json.dumps(results[name]), flush=True)
    if args.out:
        write_results(args.out, results, args.seconds, loads)


def goal_met(result: dict) -> bool:
    return result["lost"] == 0 and result["failures"] == 0 and (result["latency_ms_p95"] or 1e9) <= 300


def write_results(out: Path, results: dict, seconds: float, loads: list[str]) -> None:
    names = list(results)
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    lines = ["# Peiling: a full room (benchmarks/peiling_load.py)", "",
             f"Machine: {os.cpu_count()} cores; load average (1, 5, 15 min) before the run {loads[0]}, after it "
             f"{loads[-1]} (1.0 per core is a busy machine). Each room: the participants "
             f"join and answer within {seconds:g} s from one address (127.0.0.1, like a hall behind NAT), each "
             "keeps the live stream open like a phone would; the facilitator opened the projector screen from the "
             "same address and its stream is measured. \"flood\": one more device, from its own address "
             "(127.0.0.2), answers in a loop with its cookie for the first half of the window, then joins in a "
             "loop without one for the second half, one request at a time, in a client process of its own (a "
             "device of its own). phones_cpu_seconds: what the simulated "
             "phones (two client processes) used of the same cores; real phones bring their own. "
             "\"before\": the same load on the "
             "service as it was at that commit, in the same run.", "",
             "| measure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(str(results[n].get(key, "")) for n in names) + " |")
    lines += ["", "Goal: 0 lost answers, no participant refused and p95 from answer to projector ≤ 300 ms: "
              + "; ".join(f"{n}: **{'met' if goal_met(r) else 'NOT met'}**" for n, r in results.items()) + "."]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
