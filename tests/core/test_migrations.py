"""The migrations and the models describe the same schema (no drift a future autogenerate would 'fix')."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import Model, db


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and reflected and compare_to is None and name.endswith("_pattern"))


def test_models_match_migrated_schema(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _include,
                                                          "compare_type": False})
        diff = compare_metadata(context, Model.metadata)
    assert diff == []
