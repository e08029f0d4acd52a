"""Her own folders in backup and restore, without a hub (a real system user): a restore does not
silently overwrite what she wrote after the backup, and restores it with --force, as her."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import time
from pathlib import Path

import pytest

from hub_helpers import as_user, remove_users

FAY = "hsfay"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="makes a system user: root only")


@pytest.fixture
def fay():
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", FAY], check=True, capture_output=True)
    home = Path(pwd.getpwnam(FAY).pw_dir)
    os.chmod(home, 0o700)
    yield home
    remove_users([FAY])


def test_newer_work_in_her_folder_is_not_overwritten_without_force(fay, tmp_path):
    from leerplein.hub.backup import BackupError, backup, restore

    state = tmp_path / "state"
    state.mkdir()
    (state / "people.json").write_text(json.dumps({FAY: {"rol": "student", "cursus": "leerplein"}}))
    assert as_user(FAY, "mkdir", "-p", f"{fay}/Leerplein/aantekeningen/m").returncode == 0
    assert as_user(FAY, "sh", "-c", f"echo eerste > {fay}/Leerplein/aantekeningen/m/p.md").returncode == 0
    archive = tmp_path / "b.tar.gz"
    manifest = backup(state, archive)
    assert manifest["homes"] == {FAY: ["Leerplein"]}

    time.sleep(2.1)
    assert as_user(FAY, "sh", "-c", f"echo later > {fay}/Leerplein/aantekeningen/m/p.md").returncode == 0
    with pytest.raises(BackupError, match=f"~{FAY}/Leerplein/aantekeningen/m/p.md"):
        restore(archive, tmp_path / "new-state")
    assert (fay / "Leerplein/aantekeningen/m/p.md").read_text() == "later\n"

    done = restore(archive, tmp_path / "new-state", force=True)
    assert done.homes == 1 and not done.homes_failed
    note = fay / "Leerplein/aantekeningen/m/p.md"
    assert note.read_text() == "eerste\n" and note.stat().st_uid == pwd.getpwnam(FAY).pw_uid
