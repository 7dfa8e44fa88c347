"""实践技能 by day (core.arrangement.plan.arrange_by_session) on generated bases: its promises as properties.

A base's rooms host some of the 实践技能 sessions (days or half-days) of two subject groups; each candidate
sits one session of their group. Checked: every candidate placed at most once and reported otherwise, no seat
of a room used twice in a session (nor across sessions: seat numbers run on), capacity per room and session,
one subject group per room and session, 无障碍, nothing left unplaced while a session of theirs has room for
their group, same seed same plan, a re-arrangement keeps every seat still valid.
"""
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from core.arrangement.plan import (NO_ACCESSIBLE, NO_ROOM_FOR_GROUP, NO_SEATS, SEATS_PER_ROOM, Candidate, Room,
                                   arrange_by_session)

DAYS = {"110": frozenset({1, 2, 3}), "210": frozenset({4, 5})}  # 临床执业 three half-days, 口腔执业 two
ORDER = {1: 1, 4: 2, 2: 3, 5: 4, 3: 5}  # session id -> rank in time


@st.composite
def bases(draw, max_cands=150):
    rooms = []
    for i in range(draw(st.integers(1, 6))):
        hosts = draw(st.sets(st.sampled_from(sorted(DAYS["110"] | DAYS["210"])), min_size=1, max_size=5))
        rooms.append(Room(100 + i, i + 1, draw(st.integers(1, 25)), frozenset(hosts), draw(st.booleans())))
    cands = [Candidate(1000 + i, group, DAYS[group], draw(st.sampled_from("ABCD")), draw(st.integers(0, 9)) == 0)
             for i, group in enumerate(draw(st.lists(st.sampled_from(["110", "210"]), max_size=max_cands)))]
    return cands, rooms


def _check(plan, cands, rooms):
    by_room = {r.room_id: r for r in rooms}
    by_reg = {c.registration_id: c for c in cands}
    assert set(plan.seats) | set(plan.unplaced) == set(by_reg)  # each candidate placed or reported, once
    assert not set(plan.seats) & set(plan.unplaced)
    assert set(plan.sessions) == set(plan.seats)
    assert len(set(plan.seats.values())) == len(plan.seats)  # (room, seat) unique over all sessions
    used = Counter()
    groups: dict[tuple, set] = {}
    for reg, (room_id, seat) in plan.seats.items():
        cand, room, session = by_reg[reg], by_room[room_id], plan.sessions[reg]
        assert session in cand.sessions and session in room.sessions  # one of their days, hosted by the room
        assert 1 <= seat <= SEATS_PER_ROOM
        assert room.accessible or not cand.accessible
        used[room_id, session] += 1
        groups.setdefault((room_id, session), set()).add(cand.group)
    assert all(n <= by_room[room_id].capacity for (room_id, _s), n in used.items())  # capacity per session
    assert all(len(g) == 1 for g in groups.values())  # one subject group per room and session
    for reg, reason in plan.unplaced.items():
        cand = by_reg[reg]
        hosting = [(r, s) for r in rooms for s in cand.sessions & r.sessions]
        if not hosting:
            assert reason == NO_ROOM_FOR_GROUP
        for room, session in hosting:  # no session of theirs with a free seat for their group in a room fit
            key = (room.room_id, session)
            if (room.accessible or not cand.accessible) and groups.get(key, {cand.group}) == {cand.group}:
                in_room = sum(n for (r, _s), n in used.items() if r == room.room_id)
                assert used[key] >= room.capacity or in_room >= SEATS_PER_ROOM, (reg, reason, key)


@settings(max_examples=150, deadline=None)
@given(bases(), st.integers(0, 2**31 - 1))
def test_by_session_properties(base, seed):
    cands, rooms = base
    plan = arrange_by_session(cands, rooms, seed, order=ORDER)
    _check(plan, cands, rooms)
    again = arrange_by_session(list(reversed(cands)), list(reversed(rooms)), seed, order=ORDER)
    assert (again.seats, again.sessions, again.unplaced) == (plan.seats, plan.sessions, plan.unplaced)


@settings(max_examples=100, deadline=None)
@given(bases(), st.integers(0, 2**31 - 1), st.data())
def test_a_re_arrangement_keeps_every_valid_seat(base, seed, data):
    cands, rooms = base
    first = arrange_by_session(cands, rooms, seed, order=ORDER)
    gone = set(data.draw(st.sets(st.sampled_from(sorted(first.seats)), max_size=5))) if first.seats else set()
    closed = data.draw(st.sampled_from([None] + [r.room_id for r in rooms]))
    newcomers = [Candidate(5000 + i, g, DAYS[g], "Z") for i, g in enumerate("110 210 110".split())]
    now = [c for c in cands if c.registration_id not in gone] + newcomers
    open_rooms = [r for r in rooms if r.room_id != closed]
    second = arrange_by_session(now, open_rooms, seed + 1, previous=first.seats, previous_sessions=first.sessions,
                                order=ORDER)
    _check(second, now, open_rooms)
    for reg, seat in first.seats.items():
        if reg in gone or seat[0] == closed:
            assert reg in second.moved
        else:  # still eligible, room still open: keeps seat and day
            assert second.seats[reg] == seat and second.sessions[reg] == first.sessions[reg]
            assert reg not in second.moved


def test_a_short_day_reports_the_group_and_how_many():
    """Two half-days of 30 seats for 临床 (one room), 70 candidates: 60 placed over both days, 10 reported."""
    room = Room(1, 1, 30, frozenset({1, 2}))
    cands = [Candidate(i, "110", frozenset({1, 2}), str(i % 7)) for i in range(70)]
    plan = arrange_by_session(cands, [room], seed=5, order={1: 1, 2: 2})
    assert Counter(plan.sessions.values()) == {1: 30, 2: 30}
    assert sorted(seat for _room, seat in plan.seats.values()) == list(range(1, 61))  # day 2: seats 31-60
    assert Counter(plan.unplaced.values()) == {NO_SEATS: 10}


def test_groups_share_a_day_in_separate_rooms_and_accessible_need_is_kept():
    rooms = [Room(1, 1, 10, frozenset({1})), Room(2, 2, 10, frozenset({1, 4}), accessible=True)]
    cands = ([Candidate(i, "110", DAYS["110"], "A") for i in range(8)]
             + [Candidate(100 + i, "210", DAYS["210"], "B") for i in range(8)]
             + [Candidate(200, "210", DAYS["210"], "B", accessible=True)])
    plan = arrange_by_session(cands, rooms, seed=1, order=ORDER)
    assert {plan.seats[i][0] for i in range(8)} == {1}  # 临床 in room 1 on day 1
    assert {plan.seats[100 + i][0] for i in range(8)} == {2} and plan.seats[200][0] == 2
    assert {plan.sessions[100 + i] for i in range(8)} == {4}  # 口腔 on its own day in the accessible room
    lonely = arrange_by_session([Candidate(1, "110", DAYS["110"], "A", accessible=True)], rooms[:1], 1)
    assert lonely.unplaced == {1: NO_ACCESSIBLE}


def test_seat_numbers_stop_at_999_per_room():
    room = Room(1, 1, 600, frozenset({1, 2}))
    cands = [Candidate(i, "110", frozenset({1, 2}), "") for i in range(1200)]
    plan = arrange_by_session(cands, [room], seed=3, order={1: 1, 2: 2})
    assert max(seat for _r, seat in plan.seats.values()) == SEATS_PER_ROOM and len(plan.seats) == 999
    assert Counter(plan.unplaced.values()) == {NO_SEATS: 201}


def test_sessions_nobody_sits_take_no_seat_numbers():
    """A room imported with every 实践技能 session of the year: only the days of the groups present count."""
    room = Room(1, 1, 400, frozenset({1, 2, 3, 4, 5}))
    cands = [Candidate(i, "210", DAYS["210"], "") for i in range(800)]  # 口腔: sessions 4 and 5 only
    plan = arrange_by_session(cands, [room], seed=3, order=ORDER)
    assert len(plan.seats) == 800 and Counter(plan.sessions.values()) == {4: 400, 5: 400}


def test_a_room_made_smaller_moves_only_the_seats_beyond_its_capacity():
    cands = [Candidate(i, "110", frozenset({1}), "") for i in range(10)]
    first = arrange_by_session(cands, [Room(1, 1, 10, frozenset({1})), Room(2, 2, 10, frozenset({1}))], seed=4)
    assert {room for room, _seat in first.seats.values()} == {1}
    smaller = [Room(1, 1, 6, frozenset({1})), Room(2, 2, 10, frozenset({1}))]
    second = arrange_by_session(cands, smaller, seed=5, previous=first.seats, previous_sessions=first.sessions)
    assert Counter(room for room, _seat in second.seats.values()) == {1: 6, 2: 4} and len(second.moved) == 4
    assert all(second.seats[reg] == first.seats[reg] for reg in first.seats if reg not in second.moved)
