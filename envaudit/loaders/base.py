"""What every loader model returns: one reading of one file's bytes.

Each loader module (``python_dotenv``, ``docker_env_file``, ``node_dotenv``, ``dotenv_expand``,
``dotenvx``, ``compose``) offers ``read(data, environ, *, override=False, keep=None) ->
LoaderResult``: the assignments the loader produces from the file, in file order, after its own
unquoting, escapes and interpolation, as the real loader computes them for a process whose
environment is ``environ``. How several files and the process environment combine (which value
the app ends up with) is not a reading's business: see ``envaudit.loaders.precedence``.
"""

from __future__ import annotations

from collections.abc import Callable

from envaudit.record import Record

#: A filter of variable names: given names, the ones to keep (``envaudit.variables``).
KeyFilter = Callable[[set[str]], set[str]]


class Assignment(Record):
    """One ``KEY=value`` the loader produces (duplicates kept, in file order)."""

    key: str
    """The variable name exactly as the loader yields it."""
    value: str | None
    """The value after the loader's unquoting, escapes and interpolation; ``None`` for a key the
    loader records without a value (python-dotenv's bare ``KEY``)."""
    line: int
    """1-based line where the statement starts."""


class Ignored(Record):
    """A statement the loader skips (python-dotenv warns, node dotenv is silent)."""

    line: int
    """1-based line where the skipped text starts."""
    reason: str
    """Why, in words; never quotes a value."""


class LoaderResult(Record):
    """One loader's reading of one file."""

    assignments: list[Assignment]
    """What the loader produces, in file order (only keys ``keep`` keeps, when given)."""
    ignored: list[Ignored]
    """Statements skipped while the rest of the file is read."""
    rejected: str | None = None
    """Why the loader refuses or crashes on the whole file (nothing is loaded), if it does."""
    rejected_line: int | None = None
    """The line the refusal points at, when known."""
    executes: tuple[int, ...] = ()
    """Lines whose value runs a command when the loader expands it (``$(...)``)."""
