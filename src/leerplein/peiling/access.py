"""Who may do what in Peiling, which address a request counts for, and how many live streams
anyone may hold. Plain functions and small classes; the handlers in service.py only ask them.

Ownership (decided for issue 22): a poll belongs to the course of the teacher who made it. Every
teacher of that course may run, export, close and delete it (co-teaching: a colleague takes over a
session); teachers of other courses do not see it; an admin sees every poll. The maker is kept as
`eigenaar` and shown. The standalone Peiling has one facilitator, who sees everything.

Course-only polls: a member is a hub user whose roster `course` is the poll's course (students and
teachers alike), or an admin. The roster reaches the service as a people file (username -> role,
course), written by `leerplein hub start`, the same facts the leerkring gets."""

from __future__ import annotations

import ipaddress
import time
from collections import Counter

from leerplein.service_base import Facilitator, People

__all__ = ["Facilitator", "JoinBudget", "People", "STANDALONE", "StreamSlots", "client_address", "may_manage"]


STANDALONE = Facilitator("begeleider", "", admin=True)


def may_manage(who: Facilitator | None, session) -> bool:
    """A poll of one of her cohorts (a teacher may teach several), or she is an admin."""
    return who is not None and who.teaches(session.cursus)


def client_address(peer: str, forwarded_for: str | None, proxy_hops: int) -> str:
    """The address a request counts for in rate limits and stream caps.

    Behind the hub, configurable-http-proxy appends the address it saw to X-Forwarded-For; what
    stands left of it is whatever the client wrote, so only the right-most `proxy_hops` entries
    are trusted (1: the hub's proxy; 2: also a reverse proxy in front of it that appends). With
    proxy_hops 0 (standalone) or a missing or broken entry, the socket peer counts."""
    if proxy_hops <= 0 or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",")]
    if len(hops) < proxy_hops:
        return peer
    candidate = hops[-proxy_hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


class JoinBudget:
    """How many new devices (participants without a device cookie yet) an address may add.

    A hall behind one NAT address and a script that throws its cookie away after every answer look
    the same to the service: many new devices from one address. Two things still differ. A hall is
    where the facilitator is: her laptop, showing the projector or the session page, is on the same
    network. And a hall arrives once and keeps its devices (the cookie lasts a day), while a loop
    keeps making new ones. So every address has a bucket of new devices that refills slowly; an
    address from which a facilitator opened her poll's screen in the last `hall_hours` has a hall's
    bucket. A script elsewhere gets `burst` devices and then `per_second`; a script inside the hall
    shares the hall's bucket (see README, threat model row "Peiling").

    Defaults: a hall of 1,500; anyone else 200 (a class or an office behind one address); both
    refill 1 per second (a next hall of 1,500 after 25 minutes; a loop gains 3,600 an hour, not
    the 36,000 the old 600 per minute allowed)."""

    def __init__(self, burst: int = 200, hall_burst: int = 1500, per_second: float = 1.0, hall_hours: float = 12.0,
                 max_addresses: int = 50_000, clock=time.monotonic):
        self.burst, self.hall_burst, self.per_second = burst, hall_burst, per_second
        self.hall_seconds, self.max_addresses, self.clock = hall_hours * 3600, max_addresses, clock
        self.buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)
        self.halls: dict[str, float] = {}  # address -> until when it counts as a hall

    def mark_hall(self, address: str) -> None:
        """A facilitator opened her poll's screen from this address (only her pages call this)."""
        now = self.clock()
        if len(self.halls) > 1000:  # facilitators are few; forget halls that ended
            self.halls = {a: t for a, t in self.halls.items() if t > now}
        if self.halls.get(address, 0) <= now:
            tokens, then = self.buckets.get(address, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.per_second)
            self.buckets[address] = (tokens + self.hall_burst - self.burst, now)  # what was spent stays spent
        self.halls[address] = now + self.hall_seconds

    def capacity(self, address: str, now: float) -> int:
        until = self.halls.get(address)
        return self.hall_burst if until is not None and until > now else self.burst

    def allow(self, address: str) -> bool:
        now = self.clock()
        top = self.capacity(address, now)
        tokens, then = self.buckets.get(address, (top, now))
        tokens = min(top, tokens + (now - then) * self.per_second)
        if tokens < 1:
            self.buckets[address] = (tokens, now)
            return False
        if len(self.buckets) >= self.max_addresses and address not in self.buckets:
            # forget full buckets (they would start full anyway), then the oldest: never grow without end
            for a in [a for a, (t, w) in self.buckets.items() if t + (now - w) * self.per_second >= self.burst]:
                del self.buckets[a]
            for a in list(self.buckets)[:max(0, len(self.buckets) - self.max_addresses * 9 // 10)]:
                del self.buckets[a]
        self.buckets[address] = (tokens - 1, now)
        return True


class StreamSlots:
    """Caps on live result streams (server-sent events hold a connection each), so that one client
    cannot take them all. Defaults, and why:

    - per device (the signed device cookie): 4, a participant with a few tabs;
    - without a device cookie, per address: 20 (projectors open one; participants get a cookie on
      the participant page);
    - per address in all: 1,500, so a hall of 1,000 participants behind one NAT address still works;
    - per poll: 2,500, more than one address may hold, so one client cannot fill a poll;
    - in all: 6,000, below the service's open-file limit (service.main raises it when it can).
    """

    def __init__(self, per_device: int = 4, anonymous_per_address: int = 20, per_address: int = 1500,
                 per_poll: int = 2500, total: int = 6000):
        self.limits = {"device": per_device, "anonymous": anonymous_per_address, "address": per_address,
                       "poll": per_poll}
        self.total_limit = total
        self.held: Counter = Counter()
        self.total = 0

    def take(self, poll: str, address: str, device: str | None) -> tuple | None:
        """The keys of the slot taken (give them back to `release`), or None when a cap is reached."""
        keys = [("address", address), ("poll", poll),
                ("device", device) if device else ("anonymous", address)]
        if self.total >= self.total_limit or any(self.held[k] >= self.limits[k[0]] for k in keys):
            return None
        for k in keys:
            self.held[k] += 1
        self.total += 1
        return tuple(keys)

    def release(self, keys: tuple) -> None:
        for k in keys:
            self.held[k] -= 1
            if self.held[k] <= 0:
                del self.held[k]
        self.total -= 1


def socket_owner(peer: tuple[str, int], local: tuple[str, int]) -> int | None:
    """The uid that owns the TCP socket at `peer` connected to our `local` end, both on this
    machine: one exact sock_diag question to the kernel (what `ss -e` shows). None if unknown."""
    import socket
    import struct

    family = socket.AF_INET6 if ":" in peer[0] else socket.AF_INET
    try:
        src, dst = (socket.inet_pton(family, ip).ljust(16, b"\0") for ip in (peer[0], local[0]))
    except OSError:
        return None
    no_cookie = struct.pack("=II", 0xFFFFFFFF, 0xFFFFFFFF)
    sock_id = struct.pack("!HH", peer[1], local[1]) + src + dst + struct.pack("=I", 0) + no_cookie
    request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + sock_id
    sock_diag_by_family, netlink_sock_diag = 20, 4
    header = struct.pack("=IHHII", 16 + len(request), sock_diag_by_family, 1, 1, 0)  # NLM_F_REQUEST
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, netlink_sock_diag) as nl:
            nl.settimeout(1)
            nl.sendto(header + request, (0, 0))
            reply = nl.recv(8192)
    except OSError:
        return None
    if len(reply) < 16 + 84 or struct.unpack_from("=H", reply, 4)[0] != sock_diag_by_family:
        return None  # an error message: no such socket
    return struct.unpack_from("=I", reply, 16 + 4 + 48 + 12)[0]  # inet_diag_msg.idiag_uid


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
