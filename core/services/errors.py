"""Domain errors carry a message for the person in front of the screen (Simplified Chinese)."""
from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on; ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor may not touch this object (rendered as 403/404, never as a hint of what exists)."""
