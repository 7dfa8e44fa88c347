"""Only the life-cycle module writes a registration's status (core/registration/lifecycle.py): an ORM
UPDATE of Registration with status in its values, a Registration(...) built with a status, an
assignment to ``<registration>.status``, or SQL text updating registrations' status, anywhere else fails."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

OWNER = "core.registration.lifecycle"
SQL = re.compile(r"update\s+registrations\b.*\bset\b.*\bstatus\b", re.I | re.S)


def _is_registration(node: ast.AST) -> bool:
    """``Registration``, ``models.Registration``, or its table (``Registration.__table__``)."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    return (isinstance(node, ast.Name) and node.id == "Registration") or (
        isinstance(node, ast.Attribute) and node.attr == "Registration")


def _writes_status(values: ast.Call) -> bool:
    if any(k.arg in ("status", None) for k in values.keywords):  # status=..., or **changes (cannot tell)
        return True
    if any(isinstance(a, ast.DictComp) for a in values.args):  # columns chosen at run time (cannot tell)
        return True
    return any(isinstance(a, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "status"
                                               for k in a.keys) for a in values.args)


def _chain_updates_registration(call: ast.Call) -> bool:
    """``update(Registration).where(...).values(...)``: look down the chain for update(Registration)."""
    node = call.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call):
            if (getattr(node.func, "id", getattr(node.func, "attr", None)) == "update" and node.args
                    and _is_registration(node.args[0])):
                return True
            node = node.func
        else:
            node = node.value
    return False


def status_writes(tree: ast.Module) -> list[int]:
    """Line numbers where a registration's status is written."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "values" and _chain_updates_registration(node) \
                    and _writes_status(node):
                lines.append(node.lineno)
            elif _is_registration(func) and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if (isinstance(target, ast.Attribute) and target.attr == "status"
                        and "reg" in ast.unparse(target.value).lower()):
                    lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_life_cycle_writes_a_registration_s_status(project_trees):
    trees = dict(project_trees)
    for path in (ROOT / "bench").glob("*.py"):
        trees[f"bench.{path.stem}"] = ast.parse(path.read_text(encoding="utf-8"))
    found = {name: lines for name, tree in trees.items() if name != OWNER and (lines := status_writes(tree))}
    assert found == {}, f"registrations.status written outside {OWNER}: {found}"
    assert status_writes(project_trees[OWNER]), "the owner itself must be seen writing it"


def test_the_check_sees_every_way_of_writing_it():
    source = '''
db.session.execute(update(Registration).where(Registration.id == 1).values(status="approved"))
db.session.execute(update(Registration).values(**changes))
db.session.execute(update(models.Registration).values({"status": "expired"}))
Registration(candidate_id=1, status="submitted")
reg.status = "abandoned"
db.session.execute(text("UPDATE registrations SET status = 'rejected' WHERE id = 1"))
db.session.execute(update(Registration.__table__).values({c: bindparam(c) for c in columns}))
db.session.execute(update(Registration).values(payment_status="paid"))
order.status = "paid"
Registration(candidate_id=1)
'''
    assert status_writes(ast.parse(source)) == [2, 3, 4, 5, 6, 7, 8]
