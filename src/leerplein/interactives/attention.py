"""The attention task of the Schaarste-spel: remember a number while doing something else.

Round A asks for a short number, round B for a long one; in both the player checks sums on a
bill in between. The score per round shows what a full head costs. This is a demonstration,
not a measurement of anyone's intelligence, and the screen says so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ROUNDS = {"zonder last": 2, "met last": 7}  # digits to remember
SUMS_PER_ROUND = 3


@dataclass(frozen=True)
class Trial:
    round: str
    number: str
    sums: tuple[tuple[int, int, int], ...]  # (a, b, shown total); the shown total is sometimes wrong


def trials(seed: int) -> list[Trial]:
    rng = random.Random(seed)
    out = []
    for name, digits in ROUNDS.items():
        number = "".join(str(rng.randint(1, 9)) for _ in range(digits))
        sums = []
        for _ in range(SUMS_PER_ROUND):
            a, b = rng.randint(12, 89), rng.randint(12, 89)
            shown = a + b + rng.choice([0, 0, 10, -10])
            sums.append((a, b, shown))
        out.append(Trial(name, number, tuple(sums)))
    return out


def normalise_number(answer: str) -> str:
    return "".join(ch for ch in answer if ch.isdigit())


def score(trial: Trial, recalled: str, sum_answers: list[bool]) -> dict:
    """Digits remembered in the right place, and sums judged right ("klopt" = True)."""
    recalled = normalise_number(recalled)
    digits = sum(1 for a, b in zip(trial.number, recalled) if a == b)
    sums = sum(1 for (a, b, shown), said in zip(trial.sums, sum_answers) if (a + b == shown) == said)
    return {"round": trial.round, "digits": digits, "digitsTotal": len(trial.number),
            "sums": sums, "sumsTotal": len(trial.sums)}
