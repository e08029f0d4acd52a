"""Peiling as a JupyterHub service on the one-machine hub: teachers facilitate through their
hub login, guests join with the code alone, a course-only poll asks for the hub login, the
service runs unprivileged and its sessions survive a restart."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import time

import pytest
import requests

from hub_helpers import login, port_for, reachable_base, start_course_hub, stop_course_hub
from hub_helpers import service_url

STUDENT, TEACHER = "lppanna", "lppdocent"
PLAN = "03-ontmoeting-het-gesprek"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "peilinghub")
    hub = start_course_hub(base, [TEACHER], [STUDENT], port_for(4))
    yield hub
    stop_course_hub(hub)


def new_poll(teacher: requests.Session, hub: dict, course_only: bool) -> str:
    home = teacher.get(f"{service_url(hub, 'peiling')}/begeleider")
    assert home.status_code == 200 and "Peiling voor de begeleider" in home.text, home.text[:500]
    data = {"plan": PLAN, "_xsrf": teacher.cookies.get("_xsrf", path="/services/peiling/")}
    if course_only:
        data["alleen_cursus"] = "ja"
    made = teacher.post(f"{service_url(hub, 'peiling')}/begeleider", data=data)
    return re.search(r"Code <strong>([A-Z0-9]{6})", made.text).group(1)


def answer(session: requests.Session, hub: dict, code: str, value: str) -> requests.Response:
    page = session.get(f"{service_url(hub, 'peiling')}/p/{code}")
    xsrf = session.cookies.get("_xsrf", path="/services/peiling/")
    vraag = re.search(r'name="vraag" value="(\d+)"', page.text).group(1)
    return session.post(f"{service_url(hub, 'peiling')}/p/{code}", data={"_xsrf": xsrf, "vraag": vraag,
                                                                          "antwoord": value})


def test_peiling_runs_on_the_hub(hub):
    teacher = login(hub, TEACHER)
    open_code = new_poll(teacher, hub, course_only=False)
    member_code = new_poll(teacher, hub, course_only=True)

    # a guest without any account answers the open poll with the code alone
    guest = requests.Session()
    assert "Doe mee met de peiling" in guest.get(f"{service_url(hub, 'peiling')}/").text
    done = answer(guest, hub, open_code, "Ik vraag het direct")
    assert "Je antwoord is ontvangen" in done.text
    # ...but a course-only poll sends her to the hub's login
    r = guest.get(f"{service_url(hub, 'peiling')}/p/{member_code}")
    assert "/hub/login" in r.url and "Inloggen op Leerplein" in r.text
    # a student of the course answers it through her hub login
    student = login(hub, STUDENT)
    assert "Je antwoord is ontvangen" in answer(student, hub, member_code, "Ik vraag het via een omweg").text
    # she cannot facilitate
    r = student.get(f"{service_url(hub, 'peiling')}/begeleider")
    assert r.status_code == 403 and "Alleen de begeleider" in r.text
    stream = requests.get(f"{service_url(hub, 'peiling')}/p/{open_code}/stroom", stream=True, timeout=10)
    assert '"aantal": 1' in next(stream.iter_lines(decode_unicode=True))
    stream.close()

    # unprivileged, and its state is private and survives a crash of the service
    pids = subprocess.run(["pgrep", "-f", "leerplein.peiling.service"], capture_output=True, text=True).stdout.split()
    mine = [p for p in pids if f"{hub['state']}" in open(f"/proc/{p}/environ", "rb").read().decode(errors="replace")]
    assert mine, pids
    assert os.stat(f"/proc/{mine[0]}").st_uid == pwd.getpwnam("nobody").pw_uid
    folder = hub["state"] / "peiling"
    assert folder.stat().st_mode & 0o077 == 0 and folder.stat().st_uid == pwd.getpwnam("nobody").pw_uid
    subprocess.run(["kill", "-9", mine[0]], check=True)
    for _ in range(60):
        try:
            r = requests.get(f"{service_url(hub, 'peiling')}/p/{open_code}", timeout=2)
            if r.status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stream = requests.get(f"{service_url(hub, 'peiling')}/p/{open_code}/stroom", stream=True, timeout=10)
    assert '"aantal": 1' in next(stream.iter_lines(decode_unicode=True)), "the answer was lost in the restart"
    stream.close()
