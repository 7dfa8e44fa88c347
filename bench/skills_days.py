"""实践技能 by day, the pure planner at scale: one large base (python -m bench.skills_days [candidates]).

Rooms of 30 host the days of four subject groups; candidates spread over them; then a re-arrangement with 1 %
of the candidates gone and as many new. Prints seconds and peak memory (tracemalloc) of each planning.
"""
from __future__ import annotations

import random
import sys
import time
import tracemalloc

from core.arrangement.plan import Candidate, Room, arrange_by_session

GROUPS = {"110": (1, 2, 3, 4), "120": (5, 6), "210": (7, 8), "230": (9, 10)}  # group -> its half-days


def base(n: int, seed: int = 1):
    rng = random.Random(seed)
    groups = rng.choices(list(GROUPS), weights=(70, 10, 12, 8), k=n)
    cands = [Candidate(i, g, frozenset(GROUPS[g]), f"U{rng.randrange(n // 20 + 1)}", rng.random() < 0.01)
             for i, g in enumerate(groups, start=1)]
    rooms, number = [], 1
    for g, days in GROUPS.items():
        share = sum(1 for x in groups if x == g) * 1.05
        for _ in range(int(share / (30 * len(days))) + 1):
            rooms.append(Room(number, number, 30, frozenset(days), number % 25 == 0))
            number += 1
    return cands, rooms


def timed(label, fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label}: {took:.2f} s, peak {peak:.0f} MB")
    return result


def main(n: int) -> None:
    cands, rooms = base(n)
    order = {s: s for days in GROUPS.values() for s in days}
    print(f"{n} candidates, {len(rooms)} rooms of 30, {sum(len(r.sessions) for r in rooms)} room-sessions")
    plan = timed("plan", lambda: arrange_by_session(cands, rooms, 7, order=order))
    print(f"placed {len(plan.seats)}, unplaced {len(plan.unplaced)}")
    rng = random.Random(2)
    gone = set(rng.sample(sorted(plan.seats), n // 100))
    now = [c for c in cands if c.registration_id not in gone] + [
        Candidate(n + i, "110", frozenset(GROUPS["110"]), "NEW") for i in range(1, n // 100 + 1)]
    again = timed("re-arrange", lambda: arrange_by_session(now, rooms, 8, plan.seats, plan.sessions, order))
    print(f"moved {len(again.moved)} (gone {len(gone)}), placed {len(again.seats)}, unplaced {len(again.unplaced)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40_000)
