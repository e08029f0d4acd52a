"""Who listens on a port of this machine, read from /proc (no privileges needed)."""

from __future__ import annotations

from pathlib import Path

from leerplein.identity import uid_name


def port_listeners(port: int) -> set[int]:
    """The uids of the programs listening on 127.0.0.1:port (or on every address)."""
    uids = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, uid = fields[1], fields[3], int(fields[7])
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                uids.add(uid)
    return uids


def port_in_use(port: int) -> str | None:
    """Who listens on 127.0.0.1:port (a student's program could squat on a hub port while the
    hub is down and receive what was meant for the hub), or None when it is free."""
    uids = port_listeners(port)
    return f"by {', '.join(uid_name(u) for u in sorted(uids))}" if uids else None
