"""Operator commands (`flask --app wsgi db upgrade`, `demo load`, `schools import PATH`, `majors load`,
`roles sync`, `payments reconcile`, `payments expire`, `photos prune`, `privacy retention`,
`tickets public-key`, `documents prune`, `documents lapse`): thin click wrappers over core functions.

Each failure is one clear sentence on stderr and exit status 1: no traceback, nothing half-written
(commands/errors.py).
"""
from __future__ import annotations

from flask import Flask
from flask_migrate import Migrate

from commands import demo, documents, majors, notify, payments, photos, privacy, schema, schools, tickets
from core.db import db


def register_commands(app: Flask) -> None:
    Migrate(app, db, directory=schema.MIGRATIONS_DIR, command="alembic")  # full Alembic CLI for developers
    for group in (schema.db_cli, schema.roles_cli, photos.photos_cli, demo.demo_cli, schools.schools_cli,
                  majors.majors_cli, payments.payments_cli, notify.notify_cli, privacy.privacy_cli,
                  tickets.tickets_cli, documents.documents_cli):
        app.cli.add_command(group)
