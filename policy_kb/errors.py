"""Named exceptions of the policy knowledge base.

Library code raises these; only the edges (CLI, HTTP routes, actions) turn them
into messages or status codes.
"""

from __future__ import annotations


class PolicyKBError(Exception):
    """Base class of every knowledge-base error."""


class SourceError(PolicyKBError):
    """A source YAML file is invalid.

    `file` is the source file, `path` the location inside it
    (e.g. ``awards[3].amount_wan``) and `problem` what is wrong.
    """

    def __init__(self, file: str, path: str, problem: str):
        self.file = str(file)
        self.path = path
        self.problem = problem
        super().__init__(f"{self.file}: {path or '<root>'}: {problem}")

    def chinese(self) -> str:
        """The message shown to policy staff at the command line."""
        where = self.path or "（文件顶层）"
        return f"政策源文件有误：{self.file}\n  位置：{where}\n  问题：{self.problem}"


class BuildError(PolicyKBError):
    """The compiler could not write the database (the previous one is kept)."""


class KBNotBuiltError(PolicyKBError):
    """The SQLite knowledge base does not exist yet: run `policybot kb build`."""


class NotFoundError(PolicyKBError, KeyError):
    """A document, clause, incentive or parameter id is not in the knowledge base."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
