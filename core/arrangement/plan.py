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


@dataclass(frozen=True)
class _Slot:
    room_id: int
    session: int
    offset: int  # the room's seats before this session: seat numbers run on across its sessions
    capacity: int


def _slots(rooms: list[Room], order: dict[int, int]) -> list[_Slot]:
    """Each room's capacity in each session it hosts, sessions in time order, seats numbered on (at most
    SEATS_PER_ROOM per room, so that room + seat stay unique and fit the 准考证号)."""
    slots = []
    for room in sorted(rooms, key=lambda r: r.number):
        offset = 0
        for session in sorted(room.sessions, key=lambda s: (order.get(s, 0), s)):
            capacity = min(room.capacity, SEATS_PER_ROOM - offset)
            if capacity <= 0:
                break
            slots.append(_Slot(room.room_id, session, offset, capacity))
            offset += capacity
    return slots


def arrange_by_session(candidates: list[Candidate], rooms: list[Room], seed: int,
                       previous: dict[int, tuple[int, int]] | None = None,
                       previous_sessions: dict[int, int] | None = None,
                       order: dict[int, int] | None = None) -> Plan:
    """实践技能 at a base: a candidate sits ONE of ``cand.sessions`` (their group's days or half-days); a room
    offers its capacity in every session it hosts, and holds one subject group per session. Sessions are filled
    in time order (``order``: session id -> rank), each with ``arrange`` (groups per room, 无障碍, spread, seeded
    shuffles); who does not fit a session tries the next of theirs. ``previous``/``previous_sessions``: the
    published seats and their sessions; a seat still valid in the same session is kept. Plan.sessions holds
    each placed candidate's session."""
    order = order or {}
    rng = random.Random(seed)
    previous, previous_sessions = previous or {}, previous_sessions or {}
    slots = _slots(rooms, order)
    by_room = {r.room_id: r for r in rooms}
    slots_of: dict[int, list[_Slot]] = {}
    for slot in slots:
        slots_of.setdefault(slot.room_id, []).append(slot)
    kept_in: dict[int, _Slot] = {}  # reg -> the slot its published seat is in, when still its session
    for reg, (room_id, seat) in previous.items():
        slot = next((s for s in slots_of.get(room_id, ()) if s.offset < seat <= s.offset + s.capacity), None)
        if slot is not None and previous_sessions.get(reg, slot.session) == slot.session:
            kept_in[reg] = slot

    plan = Plan()
    remaining = {c.registration_id: c for c in sorted(candidates, key=lambda c: c.registration_id)}
    reasons: dict[int, str] = {}
    for session in sorted({s.session for s in slots}, key=lambda s: (order.get(s, 0), s)):
        session_seed = rng.randrange(2**31)
        here = [s for s in slots if s.session == session]
        virtual = dict(enumerate(here))
        vid_of = {slot: vid for vid, slot in virtual.items()}
        pool, inner_previous = [], {}
        for reg, cand in remaining.items():
            kept = kept_in.get(reg)
            if session not in cand.sessions or (kept is not None and kept.session != session
                                                and kept.session in cand.sessions):
                continue  # not this candidate's day, or their published seat is on another of their days
            pool.append(Candidate(reg, cand.group, frozenset({session}), cand.work_unit, cand.accessible))
            if kept is not None and kept.session == session:
                inner_previous[reg] = (vid_of[kept], previous[reg][1] - kept.offset)
        rooms_here = [Room(vid, by_room[slot.room_id].number, slot.capacity, frozenset({session}),
                           by_room[slot.room_id].accessible) for vid, slot in virtual.items()]
        inner = arrange(pool, rooms_here, session_seed, inner_previous)
        for reg, (vid, seat) in inner.seats.items():
            slot = virtual[vid]
            plan.seats[reg] = (slot.room_id, slot.offset + seat)
            plan.sessions[reg] = session
            del remaining[reg]
        for reg, reason in inner.unplaced.items():
            if _REASON_RANK[reason] < _REASON_RANK[reasons.get(reg, NO_ROOM_FOR_GROUP)]:
                reasons[reg] = reason
    for reg in remaining:
        plan.unplaced[reg] = reasons.get(reg, NO_ROOM_FOR_GROUP)
    plan.moved = {reg for reg, seat in previous.items() if reg not in kept_in
                  or (plan.seats.get(reg), plan.sessions.get(reg)) != (tuple(seat), kept_in[reg].session)}
    return plan

