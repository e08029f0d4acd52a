"""Backups of everything that matters, on a real hub: a student's notes, logbook and unsubmitted
draft (her own Leerplein folders) come back after the machine is lost, restored onto a fresh state
folder. Probes: links she plants in her folders (to /etc/shadow, to a classmate's folder, her
whole folder swapped for a link) are neither backed up nor written through at restore."""

from __future__ import annotations

import json
import os
import shutil
import tarfile

import pytest
import requests

from hub_helpers import (A, action, answer, as_user, hub_start, leerplein, login, port_for, reachable_base,
                         remove_users, server_token, start_course_hub, user_url, write_roster)

BEA, CAS, TEACHER = "hsbea", "hscas", "hsdoc"
PAGE = "01-armoede-zien/doe-rondkomen"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the hub spawns system users: root only")]


def home(user: str) -> str:
    import pwd

    return pwd.getpwnam(user).pw_dir


def write_notes(hub, user, headers, text):
    r = requests.post(f"{user_url(hub, user)}/leerplein/pagina/{PAGE}", headers=headers, data={"notities": text},
                      timeout=30)
    assert r.status_code == 200 and "Je aantekeningen zijn bewaard" in r.text, r.text[:300]


def read_notes(hub, user, headers) -> str:
    r = requests.get(f"{user_url(hub, user)}/leerplein/pagina/{PAGE}", headers=headers, timeout=30)
    assert r.status_code == 200, r.status_code
    return r.text


def draft(hub, user, headers) -> dict:
    r = requests.get(f"{user_url(hub, user)}/api/contents/{A}/{A}.ipynb", headers=headers, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()["content"]


@pytest.fixture(scope="module")
def first_hub(tmp_path_factory):
    base = reachable_base(tmp_path_factory, "homebackup")
    hub = start_course_hub(base, [TEACHER], [BEA, CAS], port_for(12))
    hub["base"] = base
    yield hub
    leerplein("hub", "stop", "--state-dir", str(hub["state"]))
    remove_users(hub["users"])


def test_a_restored_backup_gives_her_back_her_notes_logbook_and_draft(first_hub):
    hub, base = first_hub, first_hub["base"]
    bea = server_token(hub, BEA)
    write_notes(hub, BEA, bea, "Mijn aantekening: rondkomen met 1200 euro.")
    logbook = requests.post(f"{user_url(hub, BEA)}/leerplein/logboek", headers=bea, timeout=30,
                            data=json.dumps({"vraagstuk": "Inwoners haken af bij de aanvraag."}))
    assert logbook.status_code == 200, logbook.text
    action(hub, BEA, bea, "fetch")
    answer(hub, BEA, bea, "Mijn concept, nog niet ingeleverd.")
    cas = server_token(hub, CAS)
    write_notes(hub, CAS, cas, "Notitie van Cas.")
    # her planted links: to a file only root may read, and to a classmate's folder
    assert as_user(BEA, "ln", "-s", "/etc/shadow", f"{home(BEA)}/Leerplein/geheim").returncode == 0
    assert as_user(BEA, "ln", "-s", f"{home(CAS)}/Leerplein", f"{home(BEA)}/Leerplein/van-cas").returncode == 0
    assert as_user(BEA, "ln", "-s", "/etc/shadow", f"{home(BEA)}/{A}/shadow.ipynb").returncode == 0

    archive = base / "backup.tar.gz"
    made = leerplein("hub", "backup", "-o", str(archive), "--state-dir", str(hub["state"]))
    assert made.returncode == 0, made.stdout + made.stderr
    assert "own folders of 3 people" in made.stdout and "off this machine" in made.stdout, made.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert f"homes/{BEA}/Leerplein/aantekeningen/{PAGE}.md" in names
        assert f"homes/{BEA}/Leerplein/actieleerlogboek.json" in names
        assert f"homes/{BEA}/{A}/{A}.ipynb" in names
        assert f"homes/{CAS}/Leerplein/aantekeningen/{PAGE}.md" in names
        # probes: no link was followed, nothing of /etc/shadow or of Cas's folder is under hers
        assert not [n for n in names if n.startswith("homes/") and ("geheim" in n or "van-cas" in n or "shadow" in n)]
        shadow = open("/etc/shadow", "rb").read().split(b"\n")[0]
        for member in tar.getmembers():
            if member.isfile():
                assert shadow not in tar.extractfile(member).read(), member.name

    checked = leerplein("hub", "restore", "--check", str(archive))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "De back-up is in orde: terugzetten kan." in checked.stdout
    assert f"{BEA}: 1 pagina's met aantekeningen, logboek aanwezig, 1 opdracht(en) in de eigen map." in checked.stdout

    # the machine is lost: the hub, its state and every account with its home
    stopped = leerplein("hub", "stop", "--state-dir", str(hub["state"]))
    assert "Stopped" in stopped.stdout
    remove_users(hub["users"])
    shutil.rmtree(hub["state"])
    assert not os.path.exists(f"/home/{BEA}")

    # a new machine: the same roster makes the accounts, then the backup goes back
    fresh = base / "fresh-state"
    roster = write_roster(base, [TEACHER], [BEA, CAS])
    assert hub_start(roster, fresh, port_for(12)).returncode == 0
    leerplein("hub", "stop", "--state-dir", str(fresh))
    # the new hub made its own Peiling and leerkring secrets: the backup's replace them (as the README says)
    restored = leerplein("hub", "restore", str(archive), "--state-dir", str(fresh), "--force")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    started = hub_start(roster, fresh, port_for(12))
    assert started.returncode == 0, started.stdout + started.stderr
    hub.update(state=fresh, admin={"Authorization": f"token {(fresh / 'admin-token').read_text().strip()}"},
               passwords={r.split(",")[0]: r.split(",")[1] for r in
                                       (fresh / "initial-passwords.csv").read_text().splitlines()[1:]})
    bea = server_token(hub, BEA)
    assert "Mijn aantekening: rondkomen met 1200 euro." in read_notes(hub, BEA, bea)
    kept = requests.get(f"{user_url(hub, BEA)}/leerplein/logboek", headers=bea, timeout=30).json()
    assert kept["vraagstuk"] == "Inwoners haken af bij de aanvraag."
    cells = [c["source"] for c in draft(hub, BEA, bea)["cells"]]
    assert "Mijn concept, nog niet ingeleverd." in cells
    # she sees it in her student view as her own, fetched assignment
    view = login(hub, BEA).get(f"{user_url(hub, BEA)}/leerplein/", timeout=30)
    assert view.status_code == 200
    # her restored files are hers, private
    note = f"{home(BEA)}/Leerplein/aantekeningen/{PAGE}.md"
    import pwd

    assert os.stat(note).st_uid == pwd.getpwnam(BEA).pw_uid and os.stat(note).st_mode & 0o077 == 0


def test_a_restore_never_writes_through_her_link(first_hub):
    """She swaps her Leerplein folder for a link to /etc before a restore: nothing is written in
    /etc, she is named as not restored, and her classmate gets his folder back all the same."""
    hub, base = first_hub, first_hub["base"]
    state = hub["state"]
    leerplein("hub", "stop", "--state-dir", str(state))
    shutil.rmtree(f"{home(CAS)}/Leerplein")
    assert as_user(BEA, "mv", f"{home(BEA)}/Leerplein", f"{home(BEA)}/oud").returncode == 0
    assert as_user(BEA, "ln", "-s", "/etc", f"{home(BEA)}/Leerplein").returncode == 0
    restored = leerplein("hub", "restore", str(base / "backup.tar.gz"), "--state-dir", str(state), "--force")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"Not restored: the own folders of {BEA}" in restored.stderr
    assert not os.path.exists("/etc/aantekeningen") and not os.path.exists("/etc/actieleerlogboek.json")
    assert os.path.isfile(f"{home(CAS)}/Leerplein/aantekeningen/{PAGE}.md")


def test_check_reports_a_damaged_backup_in_dutch(first_hub, tmp_path):
    source = first_hub["base"] / "backup.tar.gz"
    damaged = tmp_path / "kapot.tar.gz"
    with tarfile.open(source) as tar, tarfile.open(damaged, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else None
            if member.name == f"homes/{BEA}/{A}/{A}.ipynb":
                data = data.replace(b"Mijn concept", b"Iets anders")
                member.size = len(data)
            out.addfile(member, __import__("io").BytesIO(data) if data is not None else None)
    checked = leerplein("hub", "restore", "--check", str(damaged))
    assert checked.returncode == 1
    assert f"Fout: homes/{BEA}/{A}/{A}.ipynb is beschadigd" in checked.stdout
    assert "De back-up is NIET in orde." in checked.stdout
