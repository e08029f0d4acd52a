"""Password rules and the one place where a system password is set or checked.

Quality: NIST SP 800-63B's advice (length over composition rules, refuse the obvious): at least
10 characters, not the username, not a well-known password, no control characters (a newline
would start a second line for chpasswd: another user's password)."""

from __future__ import annotations

import pwd
import secrets
import subprocess

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON = {"wachtwoord", "wachtwoord1", "wachtwoord123", "welkom123", "welkom1234", "leerplein", "leerplein1",
          "leerplein123", "1234567890", "0123456789", "qwertyuiop", "password12", "password123", "azertyuiop",
          "abcdefghij", "voorjaar2026", "najaar2026", "zomer2026", "winter2026", "geheim1234"}
# no look-alikes (l/1, O/0) in a password that is read off paper
START_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def user_uid_range() -> range:
    """The uids of ordinary people (login.defs UID_MIN..UID_MAX): never a system account such as
    root or nobody (65534), whatever a caller passes."""
    limits = {"UID_MIN": 1000, "UID_MAX": 60000}
    try:
        for line in open("/etc/login.defs", encoding="utf-8"):
            parts = line.split()
            if len(parts) >= 2 and parts[0] in limits and parts[1].isdigit():
                limits[parts[0]] = int(parts[1])
    except OSError:
        pass
    return range(limits["UID_MIN"], limits["UID_MAX"] + 1)


class AccountError(ValueError):
    """A Dutch message for the person at the page or command line."""


def quality_problem(username: str, password: str, current: str | None = None) -> str | None:
    """Why this new password is not good enough (Dutch), or None."""
    if len(password) < MIN_LENGTH:
        return f"Je nieuwe wachtwoord is te kort. Gebruik minstens {MIN_LENGTH} tekens."
    if len(password) > MAX_LENGTH:
        return f"Je nieuwe wachtwoord is te lang. Gebruik hoogstens {MAX_LENGTH} tekens."
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        return "Je nieuwe wachtwoord bevat een teken dat niet kan (zoals een Enter of Tab)."
    if username.lower() in password.lower():
        return "Je nieuwe wachtwoord mag je gebruikersnaam niet bevatten."
    if password.lower() in COMMON or len(set(password)) < 4:
        return "Dit wachtwoord is te makkelijk te raden. Kies iets anders, bijvoorbeeld een zin van een paar woorden."
    if current is not None and password == current:
        return "Je nieuwe wachtwoord is hetzelfde als je huidige. Kies een ander wachtwoord."
    return None


def new_start_password() -> str:
    """12 characters (about 59 bits), in groups of four, easy to type from a letter."""
    chars = "".join(secrets.choice(START_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def _account(username: str) -> pwd.struct_passwd:
    try:
        entry = pwd.getpwnam(username)
    except KeyError:
        raise AccountError(f"Er is geen account '{username}' op deze server.") from None
    if entry.pw_uid not in user_uid_range():
        raise AccountError(f"'{username}' is een systeemaccount; dat wachtwoord verandert Leerplein niet.")
    return entry


def set_password(username: str, password: str) -> None:
    """Set the system password (root only): on chpasswd's stdin, never in its arguments."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password) or ":" in username:
        raise AccountError("Dit wachtwoord kan niet worden gebruikt.")
    _account(username)
    done = subprocess.run(["chpasswd"], input=f"{username}:{password}\n", text=True, capture_output=True)
    if done.returncode != 0:  # chpasswd's message never contains the password itself
        raise AccountError(f"Het wachtwoord kon niet worden gezet ({done.stderr.strip()[:200]}).")


def password_ok(username: str, password: str) -> bool:
    """Does this password open the account (PAM, as the hub's login does)?"""
    import pamela

    try:
        _account(username)
        pamela.authenticate(username, password, service="login")
        return True
    except (pamela.PAMError, AccountError):
        return False
