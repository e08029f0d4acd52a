"""Peiling, the live poll: its rules as plain functions, then the standalone service in real
Chromium (facilitator, projector, participants, keyboard only), and probes that must fail."""

from __future__ import annotations

import csv
import io
import re
import signal
import subprocess
import sys
import threading

import pytest
import requests

from conftest import ROOT, screenshot
from leerplein.peiling.model import PeilingError, parse_answer, parse_question, results
from leerplein.peiling.store import Store

PLAN = "01-ontmoeting-armoede-dichtbij"


def test_questions_and_answers_follow_the_rules():
    keuze = parse_question({"soort": "keuze", "tekst": "Wie?", "opties": ["A", "B"]})
    assert parse_answer(keuze, "B") == "B"
    schaal = parse_question({"soort": "schaal", "tekst": "Hoe?", "min": 1, "max": 5})
    woorden = parse_question({"soort": "woorden", "tekst": "Welk woord?"})
    open_ = parse_question({"soort": "open", "tekst": "Wat neem je mee?"})
    assert parse_answer(woorden, "  Schaamte, STRESS ") == "schaamte stress"
    assert parse_answer(open_, "<script>alert(1)</script>") == "<script>alert(1)</script>"  # escaped when shown
    for question, bad in ((keuze, "C"), (keuze, ""), (schaal, "6"), (schaal, "x"), (woorden, "een twee drie vier"),
                          (woorden, "a" * 40), (open_, "x" * 281), (open_, "   ")):
        with pytest.raises(PeilingError) as err:
            parse_answer(question, bad)
        assert str(err.value)[0].isupper()
    for bad in ({"soort": "raden", "tekst": "x"}, {"soort": "keuze", "tekst": "x", "opties": ["een"]},
                {"soort": "schaal", "tekst": "x", "min": 5, "max": 1}, {"soort": "open", "tekst": ""}):
        with pytest.raises(PeilingError):
            parse_question(bad)
    res = results(schaal, [("1", True), ("5", True), ("5", True)])
    assert res.rijen == [("1", 1), ("2", 0), ("3", 0), ("4", 0), ("5", 2)] and res.gemiddelde == 3.7
    assert results(open_, [("ja", True), ("nee", False)]).teksten == ["ja"]


def test_store_one_answer_per_device_moderation_close_and_delete(tmp_path):
    store = Store(tmp_path / "p.sqlite", b"k" * 32)
    s = store.create("Proef", [{"soort": "keuze", "tekst": "Wie?", "opties": ["A", "B"]}, {"soort": "open", "tekst": "Wat?"}])
    assert re.fullmatch(r"[A-Z0-9]{6}", s.code)
    store.answer(s.code, 0, "toestel-1", "A")
    store.answer(s.code, 0, "toestel-1", "B")  # changes her answer, does not add one
    store.answer(s.code, 0, "toestel-2", "B")
    assert store.results(s.code).rijen == [("A", 0), ("B", 2)]
    with pytest.raises(PeilingError, match="voorbij"):
        store.answer(s.code, 1, "toestel-1", "te vroeg")
    store.show(s.code, 1)
    store.answer(s.code, 1, "toestel-1", "Mooi gesprek")
    assert store.results(s.code).teksten == [] and store.results(s.code).wachtend == 1
    (handle, text), = store.pending(s.code)
    store.moderate(s.code, handle, True)
    assert store.results(s.code).teksten == ["Mooi gesprek"]
    with pytest.raises(PeilingError):
        store.moderate(s.code, "0" * 16, True)
    store.set_status(s.code, "gesloten")
    with pytest.raises(PeilingError, match="gesloten"):
        store.answer(s.code, 1, "toestel-3", "te laat")
    # nothing personal: no device id in the file, only a keyed hash
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"toestel-1" not in (tmp_path / "p.sqlite").read_bytes()
    # a restart keeps everything
    store.close()
    again = Store(tmp_path / "p.sqlite", b"k" * 32)
    assert again.get(s.code).status == "gesloten" and again.results(s.code, 0).aantal == 2
    again.delete(s.code)
    with pytest.raises(PeilingError, match="code kennen we niet"):
        again.get(s.code)
    again.close()
    assert b"Mooi gesprek" not in (tmp_path / "p.sqlite").read_bytes()


def test_every_session_plan_fills_a_poll():
    from leerplein.sessies.plans import load_plans

    plans = load_plans(ROOT)
    assert len([p for p in plans if p.reeks == "De Ontmoetingen"]) == 5
    assert len([p for p in plans if p.reeks == "Actieleertraject"]) == 6
    assert len([p for p in plans if p.reeks.startswith("Korte versie")]) == 2
    for plan in plans:
        assert plan.peiling and plan.onderdelen and "ervaringsdeskundige" in plan.rollen, plan.id
        [parse_question(q) for q in plan.peiling]


@pytest.fixture(scope="module")
def peiling(tmp_path_factory):
    state = tmp_path_factory.mktemp("peiling")
    import socket

    with socket.socket() as probe:  # a port nobody holds right now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.cli", "peiling", "start", "--port", str(port),
                             "--state-dir", str(state)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    line = ""
    while "Facilitator" not in line:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, "peiling did not start"
    url = re.search(r"(http://\S+/begeleider/inloggen\?sleutel=\S+)", line).group(1)
    rest = []  # keep reading: a full pipe would block the service at its next log line
    reader = threading.Thread(target=lambda: rest.append(proc.stdout.read()), daemon=True)
    reader.start()
    yield {"base": f"http://127.0.0.1:{port}/", "login": url, "proc": proc, "state": state, "port": port}
    proc.send_signal(signal.SIGTERM)  # as a service manager stops it
    assert proc.wait(timeout=10) == 0
    reader.join(10)
    assert "Peiling stopped." in "".join(rest)


def axe(page) -> list[str]:
    page.evaluate((ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['nodes'][0]['html'][:100]}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_a_facilitator_runs_a_session_live(peiling, browser):
    fac_ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    fac = fac_ctx.new_page()
    fac.goto(peiling["login"])
    assert axe(fac) == []
    screenshot(fac, "peiling-1-begeleider")
    fac.select_option("#plan", PLAN)
    fac.click("text=Peiling starten >> nth=0")
    fac.wait_for_selector("text=Scherm voor de beamer openen")
    code = re.search(r"Code ([A-Z0-9]{6})", fac.inner_text("main")).group(1)

    beamer_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    beamer = beamer_ctx.new_page()
    beamer.goto(f"{peiling['base']}scherm/{code}")
    beamer.wait_for_selector(".grafiek .rij")
    assert code in beamer.inner_text(".code") and beamer.locator("img.qr").get_attribute("alt").startswith("QR-code")
    assert axe(beamer) == []

    # three participants on their phones; one answers by keyboard only
    phones = []
    for i in range(3):
        ctx = browser.new_context(viewport={"width": 390, "height": 780}, locale="nl-NL", is_mobile=True)
        phone = ctx.new_page()
        phone.goto(peiling["base"])
        phones.append((ctx, phone))
    _, first = phones[0]
    first.keyboard.press("Tab")  # skip link
    first.keyboard.press("Tab")
    first.keyboard.type(code.lower())
    first.keyboard.press("Enter")
    first.wait_for_selector("legend h1")
    assert axe(first) == []
    first.keyboard.press("Tab")  # skip link
    first.keyboard.press("Tab")  # into the group of choices
    first.keyboard.press("Space")  # first choice
    first.keyboard.press("ArrowDown")  # second choice: "Ongeveer 93.000"
    first.keyboard.press("Enter")
    first.wait_for_selector("text=Je antwoord is ontvangen")
    screenshot(first, "peiling-2-deelnemer-toetsenbord")
    for _, phone in phones[1:]:
        phone.fill("#code", code)
        phone.click("text=Meedoen")
        phone.check("text=Ongeveer 93.000")
        phone.click("text=Versturen")
        phone.wait_for_selector("text=Je antwoord is ontvangen")
    # a locator wait, not wait_for_function: its polling evaluates a string, which the page's CSP refuses
    beamer.locator("#stand", has_text=re.compile(r"^3 antwoorden")).wait_for(timeout=5000)
    table = beamer.inner_text("table.tabel")
    assert "Ongeveer 93.000\t3" in table and "Ongeveer 9.000\t0" in table
    screenshot(beamer, "peiling-3-scherm-meerkeuze")

    # next question: the phones follow by themselves
    fac.click("text=Volgende vraag")
    for _, phone in phones:
        phone.wait_for_selector("text=Hoe makkelijk vind jij het om over geld te beginnen?")
    beamer.wait_for_selector("#vraag:has-text('Hoe makkelijk')")
    # word cloud and the open question with moderation
    fac.click("text=Volgende vraag")
    for n, (_, phone) in enumerate(phones):
        phone.wait_for_selector("#antwoord")
        phone.fill("#antwoord", ["schaamte", "Schaamte stress", "zorgen"][n])
        phone.click("text=Versturen")
    # a locator wait, not wait_for_function: its polling evaluates a string, which the page's CSP refuses
    beamer.locator("#stand", has_text=re.compile(r"^3 antwoorden")).wait_for(timeout=5000)
    assert "schaamte\t2" in beamer.inner_text("table.tabel")
    screenshot(beamer, "peiling-4-scherm-woordwolk")
    fac.click("text=Volgende vraag")
    for n, (_, phone) in enumerate(phones):
        phone.wait_for_selector("textarea#antwoord")
        phone.fill("#antwoord", ["Het verhaal van de ervaringsdeskundige", "<img src=x onerror=alert(1)>", "Mijn buurvrouw"][n])
        phone.click("text=Versturen")
    fac.reload()
    fac.wait_for_selector(".wachtrij li")
    assert fac.locator(".wachtrij li").count() == 3
    assert "Het verhaal" not in beamer.inner_text("#uitslag"), "an open answer showed before approval"
    fac.locator(".wachtrij li", has_text="Het verhaal").locator("button[value=goedkeuren]").click()
    fac.locator(".wachtrij li", has_text="<img").locator("button[value=goedkeuren]").click()
    fac.locator(".wachtrij li", has_text="Mijn buurvrouw").locator("button[value=afwijzen]").click()
    beamer.wait_for_selector(".open-antwoorden li:has-text('Het verhaal')")
    shown = beamer.inner_text(".open-antwoorden")
    assert "<img src=x onerror=alert(1)>" in shown and "Mijn buurvrouw" not in shown
    assert beamer.locator(".open-antwoorden img").count() == 0
    screenshot(beamer, "peiling-5-scherm-open")
    screenshot(fac, "peiling-6-begeleider-sessie")
    assert axe(fac) == []

    # close: a late answer gets a Dutch message; exports; delete
    fac.click("text=Peiling sluiten")
    _, late = phones[0]
    late.wait_for_selector("text=De peiling is gesloten")
    cookies = {c["name"]: c["value"] for c in fac_ctx.cookies()}
    export = requests.get(f"{peiling['base']}begeleider/{code}/export.csv", cookies=cookies)
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["vraag_nummer", "vraag", "soort", "antwoord", "aantal"]
    assert ["1", rows[1][1], "meerkeuze", "Ongeveer 93.000", "3"] in rows
    assert not any("buurvrouw" in cell for row in rows for cell in row)
    png = requests.get(f"{peiling['base']}begeleider/{code}/export.png", cookies=cookies)
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and len(png.content) > 5000
    fac.fill("#bevestig", code)
    fac.click("button[value=verwijderen]")
    fac.wait_for_selector("text=Nieuwe peiling uit een sessieplan")
    assert requests.get(f"{peiling['base']}p/{code}").status_code == 404
    for ctx in [fac_ctx, beamer_ctx, *[c for c, _ in phones]]:
        ctx.close()


def test_probes_against_peiling_fail(peiling):
    base = peiling["base"]
    fac = requests.Session()
    fac.get(peiling["login"])
    fac.get(f"{base}begeleider")
    xsrf = fac.cookies.get("_xsrf")
    made = fac.post(f"{base}begeleider", data={"_xsrf": xsrf, "titel": "Probe",
                                                "vragen": "keuze: Wie? | A | B\nopen: Wat?"})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    guest = requests.Session()
    join = guest.get(f"{base}p/{code}")
    assert join.status_code == 200
    gx = guest.cookies.get("_xsrf")
    # the facilitator's pages and exports are closed to participants and to a wrong key
    for path in ("begeleider", f"begeleider/{code}", f"begeleider/{code}/export.csv", "begeleider/inloggen?sleutel=fout"):
        r = guest.get(base + path)
        assert r.status_code == 403 and ("Alleen de begeleider" in r.text or "sleutel klopt niet" in r.text), path
    r = guest.post(f"{base}begeleider/{code}", data={"_xsrf": gx, "actie": "sluiten"})
    assert r.status_code == 403
    # a form without its XSRF token, or posted from another site, is refused
    assert guest.post(f"{base}p/{code}", data={"vraag": "0", "antwoord": "A"}).status_code == 403
    # wrong code, wrong choice, oversized, a future question, a forged device cookie
    assert "code kennen we niet" in guest.get(f"{base}?code=ZZZZZZ").text
    assert "Kies een van de antwoorden" in guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0",
                                                                              "antwoord": "C"}).text
    assert "voorbij" in guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "1", "antwoord": "x"}).text
    device = guest.cookies.get("peiling-apparaat")
    for fake in ("nep-toestel", device[:-3] + "abc", device.replace("|", "|0", 1)):
        r = requests.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0", "antwoord": "A"},
                          headers={"Cookie": f"_xsrf={gx}; peiling-apparaat={fake}"})
        assert "niet herkend" in r.text, fake
    # flooding from one device: after 10 answers in 10 seconds it is told to wait; the count stays 1
    codes = [guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0", "antwoord": "A"}).status_code
             for _ in range(14)]
    assert codes.count(429) >= 3
    stream = requests.get(f"{base}p/{code}/stroom", stream=True, timeout=5)
    first = next(stream.iter_lines(decode_unicode=True))
    stream.close()
    assert '"aantal": 1' in first
    # the state survives a restart of the service (tested on the store) and is private on disk
    assert (peiling["state"].stat().st_mode & 0o077) == 0
    assert (peiling["state"] / "geheim").stat().st_mode & 0o077 == 0
    headers = guest.get(f"{base}p/{code}").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_a_self_paced_poll_takes_any_question_and_an_old_database_gets_the_mode(tmp_path):
    import sqlite3

    old = tmp_path / "oud.sqlite"  # a database from before the self-paced mode
    db = sqlite3.connect(old)
    db.executescript("CREATE TABLE sessies(code TEXT PRIMARY KEY, titel TEXT NOT NULL, vragen TEXT NOT NULL, "
                     "huidige INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'open', alleen_cursus INTEGER "
                     "NOT NULL DEFAULT 0, plan TEXT NOT NULL DEFAULT '', gemaakt REAL NOT NULL);"
                     "INSERT INTO sessies VALUES('OUDE12','Oud','[{\"soort\":\"open\",\"tekst\":\"Wat?\"}]',0,'open',0,'',1);")
    db.commit()
    db.close()
    store = Store(old, b"k" * 32)
    assert store.get("OUDE12").eigen_tempo is False
    s = store.create("Evaluatie", [{"soort": "schaal", "tekst": "Hoe?", "min": 1, "max": 5},
                                   {"soort": "open", "tekst": "Wat anders?"}], eigen_tempo=True)
    store.answer(s.code, 1, "toestel-1", "Meer tijd")  # the second question first: allowed in her own tempo
    store.answer(s.code, 0, "toestel-1", "4")
    assert store.results(s.code, 0).aantal == 1 and store.results(s.code, 1).wachtend == 1
    for bad in (2, -1):
        with pytest.raises(PeilingError, match="bestaat niet"):
            store.answer(s.code, bad, "toestel-1", "4")
    store.close()


def test_the_course_evaluation_is_offered_self_paced_and_anonymous(peiling):
    from leerplein.sessies.plans import load_evaluation

    evaluation = load_evaluation(ROOT)
    assert evaluation and evaluation["eigen_tempo"] and len(evaluation["peiling"]) >= 5
    base = peiling["base"]
    fac = requests.Session()
    fac.get(peiling["login"])
    page = fac.get(f"{base}begeleider")
    assert "Evaluatie van de cursus" in page.text
    made = fac.post(f"{base}begeleider", data={"_xsrf": fac.cookies.get("_xsrf"), "plan": "evaluatie"})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    assert "in hun eigen tempo" in made.text
    guest = requests.Session()
    first = guest.get(f"{base}p/{code}")
    assert "vraag 1 van" in first.text and "anoniem" in first.text and "Uitslag tot nu toe" not in first.text
    gx = guest.cookies.get("_xsrf")
    last = len(evaluation["peiling"]) - 1
    done = guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": str(last), "antwoord": "Meer oefenen"})
    assert "laatste vraag" in done.text
    answered = guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0", "antwoord": "4"})
    assert "volgende vraag" in answered.text and "vraag 2 van" in answered.text
    assert "Volgende vraag →" in guest.get(f"{base}p/{code}?vraag=1").text
    assert "vraag 1 van" in guest.get(f"{base}p/{code}?vraag=999x").text  # nonsense falls back to the start
    csv_text = fac.get(f"{base}begeleider/{code}/export.csv").text
    assert "4" in csv_text and guest.cookies.get("peiling-apparaat") not in csv_text
    # the results are the facilitator's: not on the public screen, not in the live stream
    assert guest.get(f"{base}p/{code}/stroom", timeout=5).status_code == 403
    screen = guest.get(f"{base}scherm/{code}")
    assert screen.status_code == 403 and "alleen voor de begeleider" in screen.text and "Meer oefenen" not in screen.text
    assert fac.get(f"{base}scherm/{code}").status_code == 200


def test_an_evaluation_keeps_a_chosen_answer_when_she_taps_volgende_vraag(peiling, browser):
    """Walkthrough t45: choosing an answer and tapping "Volgende vraag →" without "Versturen"
    lost it. Now the answer goes along; moving on without choosing stays possible and an empty
    answer gets a Dutch message (not the browser's English one)."""
    fac = requests.Session()
    fac.get(peiling["login"])
    made = fac.post(f"{peiling['base']}begeleider", data={"_xsrf": fac.cookies.get("_xsrf"), "plan": "evaluatie"})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    phone = context.new_page()
    phone.goto(f"{peiling['base']}p/{code}")
    phone.locator("input[name=antwoord]").nth(3).check()
    chosen = phone.locator("input[name=antwoord]").nth(3).get_attribute("value")
    phone.click("text=Volgende vraag →")
    phone.wait_for_selector("text=vraag 2 van")
    assert "Je antwoord op vraag 1 is bewaard." in phone.inner_text("main")
    phone.click("text=Volgende vraag →")  # nothing chosen: moves on without a complaint
    phone.wait_for_selector("text=vraag 3 van")
    assert not phone.locator(".probleem").count()
    phone.goto(f"{peiling['base']}p/{code}?vraag=0")
    assert phone.locator(f"input[name=antwoord][value='{chosen}']").is_checked()
    csv_text = fac.get(f"{peiling['base']}begeleider/{code}/export.csv").text
    assert chosen in csv_text
    phone.goto(f"{peiling['base']}p/{code}?vraag=1")
    phone.click("button[type=submit]:not([name])")  # Versturen with nothing chosen
    phone.wait_for_selector(".probleem")
    assert "Kies" in phone.inner_text(".probleem") or "Typ" in phone.inner_text(".probleem")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(phone) == []
    screenshot(phone, "peiling-evaluatie-telefoon")
    context.close()


def test_a_phone_sees_results_after_answering_and_a_late_answer_is_no_red_error(peiling):
    """Walkthrough: phones showed the live results before the person answered, and a red "Deze
    vraag is voorbij" stayed on the next question."""
    base = peiling["base"]
    fac = requests.Session()
    fac.get(peiling["login"])
    made = fac.post(f"{base}begeleider", data={"_xsrf": fac.cookies.get("_xsrf"), "plan": PLAN})
    code = re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)
    guest = requests.Session()
    first = guest.get(f"{base}p/{code}")
    assert 'id="uitslag"' not in first.text and "Na je antwoord zie je hier wat de anderen kozen." in first.text
    gx = guest.cookies.get("_xsrf")
    option = re.search(r'name="antwoord" id="k1" value="([^"]+)"', first.text).group(1)
    answered = guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0", "antwoord": option})
    assert 'id="uitslag"' in answered.text
    fac.post(f"{base}begeleider/{code}", data={"_xsrf": fac.cookies.get("_xsrf"), "actie": "volgende"})
    late = guest.post(f"{base}p/{code}", data={"_xsrf": gx, "vraag": "0", "antwoord": option})
    assert "Je antwoord kwam te laat" in late.text and 'class="probleem"' not in late.text
    assert "vraag 2 van" in late.text
