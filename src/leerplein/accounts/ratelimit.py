"""Wrong current-password tries per user: after MAX_TRIES within WINDOW seconds, no more tries
until the oldest one is WINDOW old. In memory of the hub process (a hub restart clears it)."""

from __future__ import annotations

import time

MAX_TRIES = 5
WINDOW = 15 * 60


class Tries:
    def __init__(self, max_tries: int = MAX_TRIES, window: float = WINDOW, clock=time.monotonic):
        self.max_tries, self.window, self.clock = max_tries, window, clock
        self._wrong: dict[str, list[float]] = {}

    def _recent(self, user: str) -> list[float]:
        now = self.clock()
        recent = [t for t in self._wrong.get(user, []) if now - t < self.window]
        self._wrong[user] = recent
        return recent

    def wait(self, user: str) -> int:
        """Seconds until she may try again (0: now)."""
        recent = self._recent(user)
        if len(recent) < self.max_tries:
            return 0
        return int(recent[0] + self.window - self.clock()) + 1

    def wrong(self, user: str) -> None:
        self._recent(user).append(self.clock())

    def right(self, user: str) -> None:
        self._wrong.pop(user, None)
