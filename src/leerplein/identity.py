"""Which uid a user's files must carry, so that collect can tell who really submitted.

On one machine every roster user is a system user (`/etc/passwd`). On Kubernetes there are no
system users: KubeSpawner runs each student's pod with a uid derived from the username (the
same formula is in `hub/kubernetes/values.yaml`), so the shared exchange separates students by
uid as one machine does. `LEERPLEIN_UID_SCHEME=hash` selects that formula.
"""

from __future__ import annotations

import hashlib
import os
import pwd

UID_BASE = 200_000
UID_SPAN = 2**30  # well inside the kernel's 32-bit uids, far above system and regular users


def hashed_uid(username: str) -> int:
    digest = hashlib.sha256(username.encode("utf-8")).digest()
    return UID_BASE + int.from_bytes(digest[:4], "big") % UID_SPAN


def expected_uid(username: str) -> int | None:
    if os.environ.get("LEERPLEIN_UID_SCHEME") == "hash":
        return hashed_uid(username)
    try:
        return pwd.getpwnam(username).pw_uid
    except KeyError:
        return None


def uid_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def hashed_uid_collisions(usernames: list[str]) -> list[tuple[str, str]]:
    """Pairs of roster users who would share a uid under the hash scheme (so far: never seen)."""
    seen: dict[int, str] = {}
    pairs = []
    for name in usernames:
        uid = hashed_uid(name)
        if uid in seen:
            pairs.append((seen[uid], name))
        seen.setdefault(uid, name)
    return pairs
