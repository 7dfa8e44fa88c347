"""How a channel says a message did not go: try again later, or never."""
from __future__ import annotations


class Retry(Exception):
    """Not sent now (server down, timeout, temporary refusal): retried with backoff, then failed."""


class Refused(Exception):
    """Never deliverable as it is (invalid address, number refused): failed at once, staff may resend."""
