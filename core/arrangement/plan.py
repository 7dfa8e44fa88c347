"""The arrangement of one site as a pure function: candidates and rooms in, seats out. No database here.

Rules (docs/arrangement.md):
- one subject group per room (a room never mixes papers); a room hosts every session its group sits;
- candidates needing an accessible room sit in one; military candidates sit where the 军事医学 session is held;
- candidates of the same work unit are dealt round-robin over the group's rooms, so they are spread;
- order is a seeded shuffle of the input sorted by registration id: the same input and seed give the same plan,
  and nothing a candidate controls (name, registration time) decides a seat;
- with ``previous`` (a published plan), everyone whose seat is still valid keeps it; only candidates whose
  room closed or who are new are placed, into free seats (rooms their group already holds first);
- what cannot be placed is reported with its reason, never an exception.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

NO_SEATS = "座位不足"
NO_ACCESSIBLE = "无可用的无障碍考场"
NO_MILITARY = "无安排军事医学场次的考场"
NO_ROOM_FOR_GROUP = "无承担该科目场次的考场"


@dataclass(frozen=True)
class Candidate:
    registration_id: int
    group: str  # 科目组: candidates of one group share a paper and its sessions
    sessions: frozenset[int]  # the sessions this candidate sits (the group's, plus 军事医学 if military)
    work_unit: str = ""
    accessible: bool = False
    military_session: int | None = None  # the 军事医学 session id when the candidate takes that unit


@dataclass(frozen=True)
class Room:
    room_id: int
    number: int
    capacity: int
    sessions: frozenset[int]
    accessible: bool = False


@dataclass
class Plan:
    seats: dict[int, tuple[int, int]] = field(default_factory=dict)  # registration id -> (room id, seat)
    unplaced: dict[int, str] = field(default_factory=dict)  # registration id -> reason
    moved: set[int] = field(default_factory=set)  # registrations whose previous seat changed or went
    sessions: dict[int, int] = field(default_factory=dict)  # 实践技能 (arrange_by_session): reg id -> session id


def _fits(cand: Candidate, room: Room) -> bool:
    return cand.sessions <= room.sessions and (room.accessible or not cand.accessible)


def _reason(cand: Candidate, rooms: list[Room]) -> str:
    hosting = [r for r in rooms if (cand.sessions - {cand.military_session}) <= r.sessions]
    if not hosting:
        return NO_ROOM_FOR_GROUP
    if cand.military_session is not None and not any(cand.sessions <= r.sessions for r in hosting):
        return NO_MILITARY
    if cand.accessible and not any(r.accessible and cand.sessions <= r.sessions for r in hosting):
        return NO_ACCESSIBLE
    return NO_SEATS


class _Site:
    """Rooms with their group and free seats while planning."""

    def __init__(self, rooms: list[Room]):
        self.rooms = sorted(rooms, key=lambda r: r.number)
        self.group: dict[int, str] = {}
        self.free: dict[int, list[int]] = {r.room_id: list(range(1, r.capacity + 1)) for r in self.rooms}
        self.members: dict[int, list[int]] = {r.room_id: [] for r in self.rooms}

    def keep(self, reg_id: int, room_id: int, seat: int, group: str) -> None:
        self.group[room_id] = group
        self.free[room_id].remove(seat)

    def rooms_of(self, group: str, cand: Candidate) -> list[Room]:
        return [r for r in self.rooms if self.group.get(r.room_id) == group and _fits(cand, r)
                and len(self.free[r.room_id]) > len(self.members[r.room_id])]

    def open_room(self, group: str, cand: Candidate, plain: bool) -> Room | None:
        """An empty room for the group; for plain candidates keep accessible and military rooms for last."""
        empty = [r for r in self.rooms if r.room_id not in self.group and _fits(cand, r)]
        if not empty:
            return None
        if plain:
            empty.sort(key=lambda r: (r.accessible, len(r.sessions - cand.sessions), -r.capacity, r.number))
        else:
            empty.sort(key=lambda r: (len(r.sessions - cand.sessions), -r.capacity, r.number))
        self.group[empty[0].room_id] = group
        return empty[0]

    def room_left(self, room_id: int) -> int:
        return len(self.free[room_id]) - len(self.members[room_id])


def _spread_order(cands: list[Candidate]) -> list[Candidate]:
    """Candidates of a work unit next to each other (units in shuffled order): dealt round-robin over rooms,
    consecutive colleagues land in different rooms."""
    units: dict[str, list[Candidate]] = {}
    for c in cands:
        units.setdefault(c.work_unit, []).append(c)
    return [c for unit in units.values() for c in unit]


def arrange(candidates: list[Candidate], rooms: list[Room], seed: int,
            previous: dict[int, tuple[int, int]] | None = None) -> Plan:
    rng = random.Random(seed)
    plan = Plan()
    site = _Site(rooms)
    by_id = {r.room_id: r for r in rooms}
    previous = previous or {}
    cands = sorted(candidates, key=lambda c: c.registration_id)
    eligible = {c.registration_id for c in cands}
    plan.moved = {reg for reg in previous if reg not in eligible}  # released: no longer arranged

    todo = []
    for c in cands:  # keep every still-valid published seat (first come first keep, in id order)
        old = previous.get(c.registration_id)
        room = by_id.get(old[0]) if old else None
        if (room is not None and _fits(c, room) and site.group.get(room.room_id, c.group) == c.group
                and old[1] in site.free[room.room_id]):
            site.keep(c.registration_id, room.room_id, old[1], c.group)
            plan.seats[c.registration_id] = old
        else:
            if old:
                plan.moved.add(c.registration_id)
            todo.append(c)
    rng.shuffle(todo)

    special = [c for c in todo if c.accessible or c.military_session is not None]
    special.sort(key=lambda c: (not (c.accessible and c.military_session is not None), not c.accessible))
    for c in special:  # strictest first: accessible and military, accessible, military
        rooms_ok = site.rooms_of(c.group, c)
        room = max(rooms_ok, key=lambda r: site.room_left(r.room_id), default=None) or \
            site.open_room(c.group, c, plain=False)
        if room is None:
            plan.unplaced[c.registration_id] = _reason(c, rooms)
        else:
            site.members[room.room_id].append(c.registration_id)

    plain: dict[str, list[Candidate]] = {}
    for c in todo:
        if not (c.accessible or c.military_session is not None):
            plain.setdefault(c.group, []).append(c)
    for group in sorted(plain, key=lambda g: (-len(plain[g]), g)):  # big groups first: whole rooms
        cands_g = _spread_order(plain[group])
        probe = cands_g[0]
        chosen = site.rooms_of(group, probe)
        while sum(site.room_left(r.room_id) for r in chosen) < len(cands_g):
            room = site.open_room(group, probe, plain=True)
            if room is None:
                break
            chosen.append(room)
        slots = _deal(chosen, site)
        for c, room_id in zip(cands_g, slots):
            site.members[room_id].append(c.registration_id)
        for c in cands_g[len(slots):]:
            plan.unplaced[c.registration_id] = _reason(c, rooms)

    for room in site.rooms:  # seats inside a room: a seeded shuffle of the free seats
        members = site.members[room.room_id]
        seats = site.free[room.room_id][:len(members)]
        rng.shuffle(members)
        for reg_id, seat in zip(members, seats):
            plan.seats[reg_id] = (room.room_id, seat)
    return plan


def _deal(chosen: list[Room], site: _Site) -> list[int]:
    """Room ids, one per free seat, round-robin over the rooms (a full room drops out)."""
    left = {r.room_id: site.room_left(r.room_id) for r in chosen}
    order = [r.room_id for r in chosen]
    slots = []
    while any(left.values()):
        for room_id in order:
            if left[room_id]:
                slots.append(room_id)
                left[room_id] -= 1
    return slots


# --- 实践技能: one session (day or half-day) per candidate ----------------------------------------------

SEATS_PER_ROOM = 999  # the 准考证号 has three digits for the seat
_REASON_RANK = {NO_SEATS: 0, NO_ACCESSIBLE: 1, NO_MILITARY: 2, NO_ROOM_FOR_GROUP: 3}  # the most telling wins


def arrange_by_session(candidates: list[Candidate], rooms: list[Room], seed: int,
                       previous: dict[int, tuple[int, int]] | None = None,
                       previous_sessions: dict[int, int] | None = None,
                       order: dict[int, int] | None = None) -> Plan:
    """实践技能 at a base: a candidate sits ONE of ``cand.sessions`` (their group's days or half-days); a room
    offers its capacity in every session it hosts and holds one subject group per session.

    Sessions are filled in time order (``order``: session id -> rank), each with ``arrange`` (groups per room,
    无障碍, spread, seeded shuffles); who does not fit a session tries the next of theirs. Seat numbers are the
    room's, unique over all its sessions (room + seat is unique and fits the 准考证号: at most SEATS_PER_ROOM
    per room): each session takes the room's lowest free numbers and gives back what it did not use.
    ``previous``/``previous_sessions``: the published seats and their sessions; a seat still valid keeps its
    number and session. Plan.sessions holds each placed candidate's session."""
    rank = (lambda s: (order.get(s, 0), s)) if order else (lambda s: (0, s))
    previous, previous_sessions = previous or {}, previous_sessions or {}
    by_room = {r.room_id: r for r in rooms}
    by_reg = {c.registration_id: c for c in candidates}
    was = {reg: _previous_session(reg, seat, previous_sessions, by_room, by_reg, rank)
           for reg, seat in previous.items()}
    kept = {reg: previous[reg] for reg, session in was.items() if session is not None}  # still valid: held
    held: dict[int, set[int]] = {}
    for room_id, seat in kept.values():
        held.setdefault(room_id, set()).add(seat)
    free = {r.room_id: [n for n in range(1, SEATS_PER_ROOM + 1) if n not in held.get(r.room_id, ())] for r in rooms}

    rng = random.Random(seed)
    plan = Plan()
    remaining = {reg: by_reg[reg] for reg in sorted(by_reg)}
    reasons: dict[int, str] = {}
    hosted = {s for r in rooms for s in r.sessions}
    for session in sorted({s for c in candidates for s in c.sessions} & hosted, key=rank):
        session_seed = rng.randrange(2**31)
        pool = [c for reg, c in remaining.items() if session in c.sessions and was.get(reg) in (None, session)]
        held_here: dict[int, list[int]] = {}  # room -> seat numbers kept in this session
        for c in pool:
            if was.get(c.registration_id) == session:
                held_here.setdefault(kept[c.registration_id][0], []).append(kept[c.registration_id][1])
        numbers: dict[int, list[int]] = {}  # virtual room (index) -> the real seat numbers of its inner seats
        rooms_here, owner, inner_previous = [], {}, {}
        for room in sorted((r for r in rooms if session in r.sessions), key=lambda r: r.number):
            mine = sorted(held_here.get(room.room_id, ()))
            fresh = free[room.room_id][:max(0, room.capacity - len(mine))]
            del free[room.room_id][:len(fresh)]
            if not mine and not fresh:
                continue
            vid = len(rooms_here)
            numbers[vid], owner[vid] = mine + fresh, room.room_id
            capacity = min(len(numbers[vid]), room.capacity)  # kept seats beyond a lowered capacity move
            rooms_here.append(Room(vid, room.number, capacity, frozenset({session}), room.accessible))
        vid_of = {room_id: vid for vid, room_id in owner.items()}
        for c in pool:
            if was.get(c.registration_id) == session:
                room_id, seat = kept[c.registration_id]
                vid = vid_of[room_id]  # the room holds a kept seat: it is here
                inner_previous[c.registration_id] = (vid, numbers[vid].index(seat) + 1)
        inner = arrange([Candidate(c.registration_id, c.group, frozenset({session}), c.work_unit, c.accessible)
                         for c in pool], rooms_here, session_seed, inner_previous)
        used: dict[int, set[int]] = {}
        for reg, (vid, seat) in inner.seats.items():
            plan.seats[reg] = (owner[vid], numbers[vid][seat - 1])
            plan.sessions[reg] = session
            used.setdefault(vid, set()).add(seat)
            del remaining[reg]
        for vid, real in numbers.items():  # give back the numbers this session did not use
            back = [n for i, n in enumerate(real, start=1) if i not in used.get(vid, ())]
            free[owner[vid]] = sorted(free[owner[vid]] + back)
        for reg, reason in inner.unplaced.items():
            if _REASON_RANK[reason] < _REASON_RANK[reasons.get(reg, NO_ROOM_FOR_GROUP)]:
                reasons[reg] = reason
    for reg in remaining:
        plan.unplaced[reg] = reasons.get(reg, NO_ROOM_FOR_GROUP)
    plan.moved = {reg for reg, seat in previous.items()
                  if (plan.seats.get(reg), plan.sessions.get(reg)) != (tuple(seat), was[reg])}
    return plan


def _previous_session(reg: int, seat: tuple[int, int], sessions: dict[int, int], rooms: dict[int, Room],
                      cands: dict[int, Candidate], rank) -> int | None:
    """The session a published seat is held for, if it is still valid: the candidate is still arranged, the
    room still open and hosting that session, one of theirs. A seat published before sessions were recorded
    (one seat covering the group's sessions): the earliest of theirs the room hosts."""
    room, cand = rooms.get(seat[0]), cands.get(reg)
    if room is None or cand is None or not 1 <= seat[1] <= SEATS_PER_ROOM:
        return None
    common = cand.sessions & room.sessions
    if reg in sessions:
        return sessions[reg] if sessions[reg] in common else None
    return min(common, key=rank) if common else None
