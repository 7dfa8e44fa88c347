"""``scope.scope_condition`` (the staff scope evaluated by the database, for one-row lookups such as a
document thumbnail) admits exactly the registrations ``can_see_registration`` does, for every role."""
from __future__ import annotations

import pytest
from flask import g
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from core.db import db
from core.models import Registration
from core.services import scope
from core.services.scope import REGION_ADMIN, SITE_REVIEWER
from tests.factories import make_registration, make_staff


@pytest.fixture
def people(world, admin_app):
    ids = world["ids"]
    mixed = make_staff(admin_app, REGION_ADMIN, regions=[ids["region_b"]], sites=[ids["site_a2"]])
    nobody = make_staff(admin_app, SITE_REVIEWER)  # a role, no scope rows: sees nothing
    return {**{name: uid for name, (uid, _n) in world["staff"].items()}, "mixed": mixed[0], "nobody": nobody[0]}


def test_scope_condition_equals_can_see_registration(world, people):
    ids = world["ids"]
    a2 = make_registration(cat={**world["cat_a"], "site": db.session.get(type(world["cat_a"]["site"]),
                                                                         ids["site_a2"])}, take_seat=False)
    db.session.commit()
    reg_ids = [ids["reg_a"], ids["reg_b"], ids["onl_a"], ids["onl_b"], a2.id]
    seen = {}
    for name, uid in people.items():
        user = db.session.get(User, uid)
        for rid in reg_ids:
            g.pop("_staff_scope", None)  # the database's own answer, not the loaded scope's
            by_sql = db.session.scalar(select(Registration.id).where(
                Registration.id == rid, scope.scope_condition(user, Registration.region_id, Registration.site_id)))
            expected = scope.can_see_registration(user, db.session.get(Registration, rid))
            assert (by_sql is not None) == expected, (name, rid)
            seen[name, rid] = expected
    assert seen["national", ids["reg_b"]] and not seen["region", ids["reg_b"]] and seen["site", ids["onl_a"]]
    assert seen["mixed", a2.id] and seen["mixed", ids["onl_b"]] and not seen["mixed", ids["reg_a"]]
    assert not any(seen["nobody", rid] for rid in reg_ids)
