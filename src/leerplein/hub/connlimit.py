"""Connections per student, so that one student cannot lock everyone out by holding thousands of
connections to the hub (its proxy, API, services) or to other students' servers.

`hub start` installs one nftables table per hub: a new TCP connection from a student's uid to
127.0.0.1 is refused (TCP reset) while that student already holds `HUB_PORTS_PER_STUDENT`
connections to the hub's own ports, or `LOOPBACK_PER_STUDENT` to any local port (students'
servers listen on random local ports). The kernel counts per uid, over all her processes, so
more processes or kernels do not help. `hub stop` removes the table. Root, the services and the
proxy are not counted: they are not students.

Without nftables (not installed, or no CAP_NET_ADMIN in a container) `hub start` warns and
only the per-process open-file limit of students' servers remains (see spawner.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess

HUB_PORTS_PER_STUDENT = 64   # her server's calls to the hub API and a few of her own
LOOPBACK_PER_STUDENT = 512   # also her server's own kernel connections (about 5 per kernel)


class ConnLimitUnavailable(RuntimeError):
    pass


def table_name(hub_id: str) -> str:
    return hub_id.replace("-", "_")


def ruleset(hub_id: str, ports: list[int], uids: list[int]) -> str:
    """The nftables script for one hub (replaces an older table of the same hub atomically)."""
    name = table_name(hub_id)
    users = ", ".join(str(u) for u in sorted(set(uids))) or "4294967294"  # an empty set is not allowed
    hub_ports = ", ".join(str(p) for p in sorted(set(ports)))
    return f"""table inet {name} {{}}
delete table inet {name}
table inet {name} {{
  set students {{ type uid; elements = {{ {users} }} }}
  set hub_conns {{ type uid; size 65535; flags dynamic; }}
  set local_conns {{ type uid; size 65535; flags dynamic; }}
  chain output {{
    type filter hook output priority 0; policy accept;
    ip daddr 127.0.0.0/8 tcp dport {{ {hub_ports} }} ct state new meta skuid @students add @hub_conns {{ meta skuid ct count over {HUB_PORTS_PER_STUDENT} }} counter reject with tcp reset
    ip daddr 127.0.0.0/8 ct state new meta l4proto tcp meta skuid @students add @local_conns {{ meta skuid ct count over {LOOPBACK_PER_STUDENT} }} counter reject with tcp reset
    ip6 daddr ::1 ct state new meta l4proto tcp meta skuid @students add @local_conns {{ meta skuid ct count over {LOOPBACK_PER_STUDENT} }} counter reject with tcp reset
  }}
}}
"""


def _nft(script: str | None, *args: str) -> subprocess.CompletedProcess:
    nft = shutil.which("nft") or next((p for p in ("/usr/sbin/nft", "/sbin/nft") if os.path.exists(p)), None)
    if nft is None:
        raise ConnLimitUnavailable("nftables is not installed (apt-get install nftables)")
    return subprocess.run([nft, *args], input=script, capture_output=True, text=True, timeout=30)


def install(hub_id: str, ports: list[int], uids: list[int]) -> None:
    """Install (or replace) the hub's limits. Raises ConnLimitUnavailable when nftables cannot."""
    done = _nft(ruleset(hub_id, ports, uids), "-f", "-")
    if done.returncode != 0:
        raise ConnLimitUnavailable(f"nft refused the rules: {done.stderr.strip()[:300]}")


def remove(hub_id: str) -> bool:
    """Remove the hub's table; False when there was none (or no nftables)."""
    try:
        return _nft(None, "delete", "table", "inet", table_name(hub_id)).returncode == 0
    except ConnLimitUnavailable:
        return False


def installed(hub_id: str) -> bool:
    try:
        return _nft(None, "list", "table", "inet", table_name(hub_id)).returncode == 0
    except ConnLimitUnavailable:
        return False
