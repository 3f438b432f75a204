"""Named exceptions of the helpdesk; the staff API and the CLI turn them into messages."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import SQLAlchemyError


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


# What a failing ticket store raises: the helpdesk's own errors, the database's (SQLAlchemy
# wraps SQLite's and PostgreSQL's; a raw sqlite3 error is kept for safety) and the file
# system's. Callers for whom the helpdesk is an add-on (the chat turn) catch these and go on.
STORE_ERRORS = (HelpdeskError, SQLAlchemyError, sqlite3.Error, OSError)
