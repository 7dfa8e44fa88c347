"""The pure planner (core.arrangement.plan) on generated sites: its promises as properties."""
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from core.arrangement.plan import (NO_ACCESSIBLE, NO_MILITARY, NO_SEATS, Candidate, Room, arrange)

WRITTEN = {"110": frozenset({1, 2, 3, 4}), "210": frozenset({5, 6})}
MILITARY = 9


def _cand(i, group, unit, accessible=False, military=False):
    sessions = WRITTEN[group] | ({MILITARY} if military else frozenset())
    return Candidate(i, group, frozenset(sessions), unit, accessible, MILITARY if military else None)


@st.composite
def sites(draw, max_cands=120):
    n_rooms = draw(st.integers(1, 8))
    rooms = []
    for i in range(n_rooms):
        hosts = draw(st.sampled_from([WRITTEN["110"], WRITTEN["210"], WRITTEN["110"] | WRITTEN["210"]]))
        if draw(st.booleans()):
            hosts = hosts | {MILITARY}
        rooms.append(Room(100 + i, i + 1, draw(st.integers(1, 30)), frozenset(hosts), draw(st.booleans())))
    n = draw(st.integers(0, max_cands))
    cands = [_cand(1000 + i, draw(st.sampled_from(["110", "210"])), draw(st.sampled_from("ABCDE")),
                   draw(st.integers(0, 9)) == 0, draw(st.integers(0, 9)) == 0) for i in range(n)]
    return cands, rooms


def _check(plan, cands, rooms):
    by_room = {r.room_id: r for r in rooms}
    by_reg = {c.registration_id: c for c in cands}
    # every candidate exactly once: placed or reported
    assert set(plan.seats) | set(plan.unplaced) == set(by_reg)
    assert not set(plan.seats) & set(plan.unplaced)
    # no seat twice, capacities respected
    assert len(set(plan.seats.values())) == len(plan.seats)
    for room_id, seat in plan.seats.values():
        assert 1 <= seat <= by_room[room_id].capacity
    groups: dict[int, set] = {}
    for reg, (room_id, _seat) in plan.seats.items():
        c, room = by_reg[reg], by_room[room_id]
        groups.setdefault(room_id, set()).add(c.group)
        assert c.sessions <= room.sessions  # the room hosts every session the candidate sits (军事医学 too)
        assert room.accessible or not c.accessible
    assert all(len(g) == 1 for g in groups.values())  # one subject group per room


@settings(max_examples=150, deadline=None)
@given(sites(), st.integers(0, 2**31 - 1))
def test_plan_properties(site, seed):
    cands, rooms = site
    plan = arrange(cands, rooms, seed)
    _check(plan, cands, rooms)
    assert arrange(list(reversed(cands)), list(reversed(rooms)), seed) == plan  # same seed, same plan
    for reg, reason in plan.unplaced.items():
        assert reason  # every refusal says why


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**31 - 1), st.data())
def test_everyone_placed_and_colleagues_spread_when_capacity_allows(n_rooms, seed, data):
    rooms = [Room(i, i, 20, WRITTEN["110"]) for i in range(1, n_rooms + 1)]
    n = data.draw(st.integers(0, 20 * n_rooms))
    cands = [_cand(i, "110", data.draw(st.sampled_from("ABC"))) for i in range(n)]
    plan = arrange(cands, rooms, seed)
    assert not plan.unplaced and len(plan.seats) == n
    units = Counter(c.work_unit for c in cands)
    used = {room for room, _ in plan.seats.values()}
    for unit, size in units.items():
        per_room = Counter(plan.seats[c.registration_id][0] for c in cands if c.work_unit == unit)
        assert max(per_room.values()) <= -(-size // len(used)) + 1  # at most one above an even share


def test_reasons_name_what_is_missing():
    rooms = [Room(1, 1, 2, WRITTEN["110"])]
    cands = [_cand(1, "110", "A"), _cand(2, "110", "A"), _cand(3, "110", "A"),
             _cand(4, "110", "A", accessible=True), _cand(5, "110", "A", military=True)]
    plan = arrange(cands, rooms, 7)
    assert len(plan.seats) == 2
    assert plan.unplaced[4] == NO_ACCESSIBLE and plan.unplaced[5] == NO_MILITARY
    assert list(plan.unplaced.values()).count(NO_SEATS) == 1


def test_seed_changes_the_order_but_not_the_rules():
    rooms = [Room(1, 1, 30, WRITTEN["110"]), Room(2, 2, 30, WRITTEN["110"])]
    cands = [_cand(i, "110", "A") for i in range(50)]
    one, two = arrange(cands, rooms, 1), arrange(cands, rooms, 2)
    assert one.seats != two.seats  # fair: a seeded shuffle, not registration order
    by_id = arrange(cands, rooms, 1)
    assert [by_id.seats[i] for i in range(5)] != [(1, s) for s in range(1, 6)]


@settings(max_examples=100, deadline=None)
@given(sites(max_cands=80), st.integers(0, 2**31 - 1), st.data())
def test_rearrangement_moves_only_what_it_must(site, seed, data):
    cands, rooms = site
    first = arrange(cands, rooms, seed)
    gone = set(data.draw(st.lists(st.sampled_from([c.registration_id for c in cands]), max_size=10))
               if cands else [])
    closed = set(data.draw(st.lists(st.sampled_from([r.room_id for r in rooms]), max_size=2)))
    new = [_cand(5000 + i, "110", "Z") for i in range(data.draw(st.integers(0, 10)))]
    now_cands = [c for c in cands if c.registration_id not in gone] + new
    now_rooms = [r for r in rooms if r.room_id not in closed]
    second = arrange(now_cands, now_rooms, seed + 1, previous=first.seats)
    _check(second, now_cands, now_rooms)
    for reg, (room_id, seat) in first.seats.items():
        if reg in gone:
            assert reg in second.moved and reg not in second.seats
        elif room_id not in closed:
            assert second.seats[reg] == (room_id, seat)  # a valid seat is never taken away
            assert reg not in second.moved
        else:
            assert reg in second.moved


SKILLS = {"110": frozenset({21}), "210": frozenset({22})}  # 实践技能 sessions per subject group


@settings(max_examples=100, deadline=None)
@given(sites(), st.integers(0, 2**31 - 1), st.data())
def test_each_part_is_planned_on_its_own_rooms(site, seed, data):
    """实践技能 and 医学综合 are planned by separate runs over disjoint rooms (a room hosts one part): each
    candidate is placed or reported exactly once per part, and no seat serves two parts."""
    cands, rooms = site
    skill_rooms = [Room(900 + i, 50 + i, data.draw(st.integers(1, 30)),
                        data.draw(st.sampled_from([SKILLS["110"], SKILLS["210"], SKILLS["110"] | SKILLS["210"]])),
                        data.draw(st.booleans())) for i in range(data.draw(st.integers(1, 5)))]
    skill_cands = [Candidate(c.registration_id, c.group, SKILLS[c.group], c.work_unit, c.accessible) for c in cands]
    written, skills = arrange(cands, rooms, seed), arrange(skill_cands, skill_rooms, seed)
    _check(written, cands, rooms)
    _check(skills, skill_cands, skill_rooms)
    both = list(written.seats.values()) + list(skills.seats.values())
    assert len(set(both)) == len(both)
    assert {room for room, _ in skills.seats.values()} <= {r.room_id for r in skill_rooms}
    assert arrange(list(reversed(skill_cands)), skill_rooms, seed) == skills


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 2**31 - 1), st.data())
def test_skills_everyone_placed_when_capacity_allows(n_exec, n_assist, seed, data):
    cands = [Candidate(i, "110" if i < n_exec else "210", SKILLS["110" if i < n_exec else "210"],
                       data.draw(st.sampled_from("AB")), data.draw(st.booleans()) and i % 3 == 0)
             for i in range(n_exec + n_assist)]  # at most 20 of a group need the 30-seat accessible room
    rooms = [Room(1, 1, 30, SKILLS["110"], True), Room(2, 2, 30, SKILLS["110"]),
             Room(3, 3, 30, SKILLS["210"], True), Room(4, 4, 30, SKILLS["210"])]
    plan = arrange(cands, rooms, seed)
    assert not plan.unplaced and len(plan.seats) == len(cands)
    _check(plan, cands, rooms)
