"""User-facing errors: one clear paragraph naming the file, the line, the field and what was expected."""

from __future__ import annotations


class PeninsulaError(Exception):
    """A mistake in the user's input. The CLI prints it (no traceback) and exits with 2."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        """Keep the message and where the mistake is: file (or option), line and field."""
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"option {self.field}" if self.field.startswith("--") else f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ScenarioError(PeninsulaError):
    """A scenario file that cannot be used as it is."""
