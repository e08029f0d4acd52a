"""Every benchmark in benchmarks/ runs here at a small size, as a user would run it (a subprocess
with `--out` to a temporary file), so none can rot unnoticed. The tests check that the result
file has its rows and that the values are sane (counts add up, no failures where none are
expected, times positive and ordered). They never check a speed: speed goals are the
benchmarks' own business, measured in one run on a quiet machine."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "hub"))
from hub_helpers import port_for  # noqa: E402

pytestmark = pytest.mark.slow
BENCH = ROOT / "benchmarks"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the hub benchmarks make system users: root only")


def run_benchmark(script: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def table(text: str) -> list[list[str]]:
    """The rows of every Markdown table in text, header and separator rows left out."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[\s\-:|]*\|", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def seconds(cell: str) -> float:
    return float(cell.split()[0])


def users_named(prefix: str) -> list[str]:
    return [p.pw_name for p in pwd.getpwall() if p.pw_name.startswith(prefix)]


@pytest.fixture(autouse=True)
def results_untouched():
    """A small run writes only where --out says: the committed results stay as measured."""
    def snapshot():
        return {p.name: p.stat().st_mtime_ns for p in (BENCH / "results").iterdir()}
    before = snapshot()
    yield
    assert snapshot() == before


@pytest.fixture
def bench_users():
    """Whatever a hub benchmark leaves behind is a defect: report it, then clean it up anyway."""
    prefixes: list[str] = []
    yield prefixes
    left = [u for prefix in prefixes for u in users_named(prefix)]
    for user in left:
        subprocess.run(["pkill", "-u", user], capture_output=True)
        subprocess.run(["userdel", "-r", user], capture_output=True)
    assert not left, f"the benchmark left system users behind: {left}"


def test_interactives_update_runs_small(tmp_path):
    out = tmp_path / "interactives.md"
    run_benchmark("interactives_update.py", "--runs", "5", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert "Median of 5 updates" in text
    rows = table(text)
    assert [r[0].split(" (")[0] for r in rows[1:]] == [
        "Rondkomen", "Schaarste-spel", "Leesbaarheidscheck", "Krachtenkaart", "Netwerkwijzer"]
    for name, ms, verdict in rows[1:]:
        assert float(ms) > 0, name
        assert verdict == ("yes" if float(ms) <= 50 else "NO"), name


def test_autograde_bench_runs_small_and_scores_agree(tmp_path):
    out = tmp_path / "autograde.md"
    run_benchmark("autograde_bench.py", "--students", "4", "--with-code", "0.5", "--before", "HEAD", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    own_code = int(re.search(r"4 generated submissions .*; (\d) with a code cell", text).group(1))
    assert 0 < own_code < 4  # both paths: letters only, and code that runs in the sandbox
    assert "Scores identical across the 4 graders: **yes**" in text
    graders = table(text)[1:]
    assert len(graders) == 4 and "nbgrader autograde" in graders[0][0] and "as it was at HEAD" in graders[1][0]
    for name, graded, wall, per in graders:
        assert "4" in graded or graded == "all", name
        assert float(wall) > 0, name
        # per submission = wall / 4 (wall is printed to 0.1 s, per submission to 0.01 s)
        assert float(per) == pytest.approx(float(wall) / 4, abs=0.05), name
    ratio = float(re.search(r"Speed-up over nbgrader: \*\*([\d.]+)x", text).group(1))
    assert ratio == pytest.approx(float(graders[0][2]) / float(graders[3][2]), rel=0.1)


@pytest.mark.timeout(1200)
def test_build_times_runs_with_the_repositorys_warm_cache(built_book, tmp_path):
    cache = ROOT / "book" / "_build" / ".jupyter_cache"
    out = tmp_path / "build_times.md"
    run_benchmark("build_times.py", "--jupyter-cache", str(cache), "--out", str(out), timeout=1100)
    text = out.read_text(encoding="utf-8")
    pages = int(re.search(r"(\d+) source pages", text).group(1))
    assert pages > 20
    rows = table(text)[1:]
    assert [r[0].split(",")[0].split(" after")[0] for r in rows] == [
        "first build", "rebuild", "rebuild", "rebuild"]
    assert f"execution cache copied from {cache}" in rows[0][0]  # the results say which cache was used
    assert "no words changed" in rows[2][0] and "study-load tables" in rows[3][0]
    assert all(float(sec) > 0 for _, sec, _ in rows)
    assert [executed for _, _, executed in rows[1:]] == ["0", "0", "0"]  # no prose edit executes a page
    # the book is still in the repository, untouched by the copy's edits
    assert "Deze zin is toegevoegd voor de meting" not in "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "modules").glob("*/0[1-9]-*.md"))


def test_peiling_load_runs_small_and_loses_nothing(tmp_path):
    out = tmp_path / "peiling.md"
    run_benchmark("peiling_load.py", "--participants", "20", "--seconds", "3", "--flood", "--out", str(out),
                  timeout=300)
    rows = table(out.read_text(encoding="utf-8"))
    assert rows[0] == ["measure", "20", "20 + flood"]
    for column in (1, 2):
        result = {row[0]: row[column] for row in rows[1:]}
        assert result["participants"] == "20"
        assert result["failures"] == "0" and result["accepted"] == "20"
        assert result["counted_on_projector"] == "20" and result["lost"] == "0" and result["never_shown"] == "0"
        p50, p95, top = (float(result[k]) for k in ("latency_ms_p50", "latency_ms_p95", "latency_ms_max"))
        assert 0 < p50 <= p95 <= top
        assert float(result["rss_mb_after"]) > 0
    flood = {row[0]: row[2] for row in rows[1:]}
    # the scripted device answered in a loop: 10 in 10 s were taken, and only one of them counts
    assert int(flood["script_answers_tried"]) > 10 and 1 <= int(flood["script_answers_accepted"]) <= 10
    assert int(flood["script_joins_given_a_device"]) <= int(flood["script_joins_tried"])


@root_only
@pytest.mark.timeout(1500)
def test_class_start_runs_small_with_our_users(tmp_path, bench_users):
    """Both hubs (servers from scratch, servers forked from the fork server) in one run."""
    bench_users.append("zyklas")
    out = tmp_path / "class_start.md"
    run_benchmark("class_start.py", "--students", "2", "--window", "2", "--prefix", "zyklas",
                  "--port", str(port_for(6)), "--out", str(out), timeout=1400)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Class start") and "2 students log in" in text and "load average" in text
    assert "Failures:" not in text
    rows = {r[0]: r[1:] for r in table(text)}
    scenarios = [name for name in rows if ": cold" in name or ": prestart" in name]
    assert scenarios == ["from scratch: cold, every login starts a server", "fork server: cold, every login starts a server",
                         "fork server: prestart, `hub prestart` ran first"]
    for name in scenarios:
        p50, p95, lab95, top, failures, load = rows[name]
        assert failures == "0", name
        assert 0 < seconds(p50) <= seconds(p95) <= seconds(top), name
        assert seconds(p95) <= seconds(lab95) <= seconds(top), name
        assert load.startswith("load average"), name
    assert "2 of 2 servers ready" in text  # hub prestart started both
    for name in ("per student, median", "per student, max", "hub", "proxy"):
        before_rss, before_pss, fork_rss, fork_pss = rows[name]
        for cell in (before_rss, before_pss, fork_rss, fork_pss):
            assert float(cell.split()[0]) > 0, name
    zygote = rows["fork server (zygote)"]
    assert zygote[:2] == ["-", "-"] and float(zygote[3].split()[0]) > 0  # only the fork-server hub has one
    assert users_named("zyklas") == []  # the benchmark removed its students itself


@root_only
@pytest.mark.timeout(1200)
def test_hub_load_runs_small_with_our_users(tmp_path, bench_users):
    bench_users.append("bqload")
    out = tmp_path / "hub_load.md"
    run_benchmark("hub_load.py", "--students", "2", "--concurrency", "2", "--prefix", "bqload",
                  "--port", str(port_for(7)), "--out", str(out), timeout=1100)
    text = out.read_text(encoding="utf-8")
    assert "2 simulated students, concurrency 2" in text and "Failures:" not in text
    rows = {r[0]: r[1] for r in table(text)}
    assert rows["failures"] == "0"
    assert 0 < seconds(rows["spawn p50"]) <= seconds(rows["spawn p95"])
    assert float(rows["memory per idle user (RSS, median)"].split()[0]) > 0
    assert float(rows["memory per idle user (PSS, median)"].split()[0]) > 0
    assert float(rows["cell execution through the kernel websocket, median"].split()[0]) > 0
    assert users_named("bqload") == []
