"""One roster file for course and hub: roles, names, and clear errors for bad rows."""

import pytest

from leerplein.roster import RosterError, read_roster


def test_roles_and_defaults(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("username,name,role,email\nanna,Anna de Vries,,a@x.nl\njuf,Juf,docent,\nbaas,Baas,admin,\n")
    people = read_roster(path)
    assert [(p.username, p.role) for p in people] == [("anna", "student"), ("juf", "teacher"), ("baas", "admin")]
    assert people[0].name == "Anna de Vries" and people[0].email == "a@x.nl" and people[1].email is None


@pytest.mark.parametrize("rows, message", [
    ("username,role\n1abc,student\n", "roster.csv:2: '1abc' is not a valid username"),
    ("username,role\nanna,koning\n", "roster.csv:2: unknown role 'koning'"),
    ("naam,role\nanna,student\n", "needs a header with at least a 'username' column"),
])
def test_bad_rows_are_named_with_their_line(tmp_path, rows, message):
    path = tmp_path / "roster.csv"
    path.write_text(rows)
    with pytest.raises(RosterError, match=message):
        read_roster(path)
