"""Named exceptions of the helpdesk; the staff API and the CLI turn them into messages."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base class of every helpdesk error."""


class TicketNotFound(HelpdeskError, KeyError):
    """No ticket has this number."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class TicketConflict(HelpdeskError):
    """The ticket's state does not allow the action (resolved, claimed by someone else…)."""


class StaffUserExists(HelpdeskError):
    """A staff user with this name already exists."""


class StaffUserNotFound(HelpdeskError, KeyError):
    """No staff user has this name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidTriage(HelpdeskError, ValueError):
    """A category or urgency outside the allowed values."""
