"""Security manager for staff: FAB's database auth plus our scope lookup."""
from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager


class StaffSecurityManager(SecurityManager):
    pass
