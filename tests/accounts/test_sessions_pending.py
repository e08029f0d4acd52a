"""A reset while the hub is down (`hub letters` on a stopped hub) still ends her sessions: the
name is remembered root-only and the hub rotates her cookie id and drops her tokens at its next
start, before it serves anyone (the rest of issue 27: tests/hub/test_sessions_end_hub.py)."""

from __future__ import annotations

import os

from jupyterhub import orm

from leerplein.accounts.sessions import end_sessions_on_hub, rotate_pending


def test_a_reset_while_the_hub_is_down_ends_her_sessions_at_the_next_start(tmp_path):
    db = orm.new_session_factory("sqlite://")()
    anna, bert = orm.User(name="anna"), orm.User(name="bert")
    db.add_all([anna, bert])
    db.commit()
    token = orm.APIToken(user=anna, note="eigen")
    token.token = "een-token-van-anna-" + "x" * 20
    db.add(token)
    db.commit()
    old_anna, old_bert = anna.cookie_id, bert.cookie_id

    assert end_sessions_on_hub(tmp_path, ["anna", "nobody-here"]) == []  # no hub-url: remembered
    pending = tmp_path / "accounts" / "sessies-beeindigen.json"
    assert pending.is_file() and oct(pending.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "accounts").stat().st_mode & 0o777) == "0o700"

    assert rotate_pending(db, tmp_path) == ["anna"]
    assert anna.cookie_id != old_anna and bert.cookie_id == old_bert
    assert not anna.api_tokens and not db.query(orm.APIToken).count()
    assert not pending.exists() and rotate_pending(db, tmp_path) == []  # once


def test_a_hub_that_does_not_answer_counts_as_down(tmp_path):
    (tmp_path / "hub-url").write_text("http://127.0.0.1:9/\n")  # nothing listens on the discard port
    (tmp_path / "admin-token").write_text("x")
    os.chmod(tmp_path / "admin-token", 0o600)
    assert end_sessions_on_hub(tmp_path, ["anna"], timeout=5) == []
    assert "anna" in (tmp_path / "accounts" / "sessies-beeindigen.json").read_text()
