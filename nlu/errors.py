"""Named exceptions of the `nlu` package."""

from __future__ import annotations


class NLUError(Exception):
    """Base class of every error raised by the `nlu` package."""


class ResourceError(NLUError):
    """A rule table under `nlu/resources/` (or one named in config) is malformed.

    `file` is the table, `line` the 1-based line number and `problem` what is wrong.
    """

    def __init__(self, file: str, line: int, problem: str):
        self.file = str(file)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.file}:{line}: {problem}")


class AliasSourceError(NLUError):
    """The knowledge base aliases are required (``require_kb: true``) but unavailable."""


class LengthChangedError(NLUError):
    """Normalisation would change the text length (entity offsets would break)."""
