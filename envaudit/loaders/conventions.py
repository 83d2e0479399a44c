"""Which ``.env*`` files a framework convention loads, in which order, and who wins.

Measured (research/dotenv-corpus/precedence/precedence.json, ``file_priority_order_measured``: every
file sets ``WHO=<its name>``, the real loader runs, the winner is deleted, repeat) for
NODE_ENV/mode ``development``, ``test`` and ``production`` with dotenv-flow 4.1.0, Next.js
(``@next/env`` 16.4.6 ``loadEnvConfig``), Vite 8.3.8 ``loadEnv`` and dotenvx 2.38.2
``--convention nextjs|flow``. Highest priority first:

* dotenv-flow: ``.env.<mode>.local`` > ``.env.<mode>`` > ``.env.local`` > ``.env``; in ``test``
  ``.env.local`` is skipped. With NODE_ENV unset only ``.env.local`` and ``.env`` (measured).
  Any custom mode works (``.env.staging``). From dotenv-flow 4.1.0 source (not measured):
  ``.env.defaults`` is read below ``.env``.
* Next.js: ``.env.<mode>.local`` > ``.env.local`` > ``.env.<mode>`` > ``.env`` (note: ``.env.local``
  beats ``.env.development``); ``.env.local`` skipped in ``test``. The mode is not NODE_ENV: it is
  ``test`` when NODE_ENV is ``test``, else ``development`` for ``next dev`` and ``production``
  otherwise (from ``@next/env`` source; measured with NODE_ENV unset and ``test``). No custom mode.
* Vite ``loadEnv(mode)``: ``.env.<mode>.local`` > ``.env.<mode>`` > ``.env.local`` > ``.env``, and
  ``.env.local`` **is** loaded in ``test``. Any mode except ``local`` (Vite throws on it).
* dotenvx ``--convention nextjs``: as Next.js. ``--convention flow``: as dotenv-flow, except that
  ``.env.local`` is loaded in ``test`` too (measured). The environment comes from ``DOTENV_ENV``,
  else ``NODE_ENV``, else ``development``; for a non-standard one, ``nextjs`` keeps only
  ``.env.local`` and ``.env`` and ``flow`` also reads ``.env.defaults`` last (dotenvx source, not
  measured).

Process variables already set win over every file in all of them, **even when empty**
(measured: ``EMPTY_PRESET=`` kept its empty value). Vite's ``loadEnv`` only returns keys with the
requested prefixes (``VITE_`` by default), takes the process value for those, and does not write
``process.env`` itself.

Values are parsed like node dotenv (``A=abc#def`` -> ``abc``, measured for Next.js and Vite;
dotenv-flow bundles dotenv 16): see ``envaudit.loaders.node_dotenv``; dotenvx has its own parser
(``envaudit.loaders.dotenvx``). Next.js, Vite and dotenvx expand ``$VAR``/``${VAR}`` (dotenv-expand
rules) across files using the winning value (measured: ``REF=${WHO}-ref`` in ``.env`` gave the
winning file's ``WHO``); Next.js and Vite did not execute ``$(...)`` (measured), dotenvx does.
dotenv-flow does not expand at all (4.1.0 source: plain ``dotenv.parse``).
"""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.record import Record

STANDARD_MODES = ("development", "test", "production")
"""The three modes every convention knows."""


class Convention(Record):
    """One loader's file convention and how it combines files with the process environment."""

    name: str
    """Registry key: ``dotenv-flow``, ``nextjs``, ``vite``, ``dotenvx-nextjs``, ``dotenvx-flow``."""
    tool: str
    """The loader and version the facts were measured with."""
    mode_source: str
    """Where the mode comes from, in words."""
    local_in_test: bool
    """Whether ``.env.local`` is read in the ``test`` mode."""
    custom_modes: bool
    """Whether a mode other than development/test/production selects ``.env.<mode>`` files."""
    local_before_mode: bool
    """``.env.local`` outranks ``.env.<mode>`` (Next.js) rather than the reverse."""
    process_env_wins: bool
    """A variable already in the process environment is never replaced (true everywhere)."""
    empty_process_var_wins: bool
    """...even when it is set to the empty string (measured)."""
    parser: str
    """Module in ``envaudit.loaders`` that parses the files (written by another engineer)."""
    expands: bool
    """``$VAR``/``${VAR}`` are expanded (dotenv-expand rules), across files with winning values."""
    executes_commands: bool
    """``$(cmd)`` in a value is run."""
    defaults_file: bool
    """``.env.defaults`` is read below ``.env`` (from source, not measured)."""
    notes: str = ""
    """Anything else worth knowing."""


CONVENTIONS: dict[str, Convention] = {
    "dotenv-flow": Convention(
        "dotenv-flow", "dotenv-flow 4.1.0 (bundles dotenv 16.6.1)",
        "NODE_ENV (or the default_node_env option); unset: no mode files",
        local_in_test=False, custom_modes=True, local_before_mode=False,
        process_env_wins=True, empty_process_var_wins=True, parser="node_dotenv",
        expands=False, executes_commands=False, defaults_file=True,
        notes="config() merges the files (higher priority wins) and sets only keys the process "
              "does not have (hasOwnProperty).",
    ),
    "nextjs": Convention(
        "nextjs", "Next.js (@next/env 16.4.6 loadEnvConfig)",
        "'test' if NODE_ENV=test, else 'development' for next dev, 'production' otherwise",
        local_in_test=False, custom_modes=False, local_before_mode=True,
        process_env_wins=True, empty_process_var_wins=True, parser="node_dotenv",
        expands=True, executes_commands=False, defaults_file=False,
    ),
    "vite": Convention(
        "vite", "Vite 8.3.8 loadEnv",
        "--mode (default 'development' for vite dev, 'production' for vite build, 'test' "
        "under vitest); 'local' is refused",
        local_in_test=True, custom_modes=True, local_before_mode=False,
        process_env_wins=True, empty_process_var_wins=True, parser="node_dotenv",
        expands=True, executes_commands=False, defaults_file=False,
        notes="loadEnv returns only keys with the requested prefixes (VITE_ by default) and does "
              "not write process.env.",
    ),
    "dotenvx-nextjs": Convention(
        "dotenvx-nextjs", "dotenvx 2.38.2 --convention nextjs",
        "DOTENV_ENV, else NODE_ENV, else 'development'",
        local_in_test=False, custom_modes=False, local_before_mode=True,
        process_env_wins=True, empty_process_var_wins=True, parser="dotenvx",
        expands=True, executes_commands=True, defaults_file=False,
        notes="a non-standard environment reads only .env.local and .env (source).",
    ),
    "dotenvx-flow": Convention(
        "dotenvx-flow", "dotenvx 2.38.2 --convention flow",
        "DOTENV_ENV, else NODE_ENV, else 'development'",
        local_in_test=True, custom_modes=True, local_before_mode=False,
        process_env_wins=True, empty_process_var_wins=True, parser="dotenvx",
        expands=True, executes_commands=True, defaults_file=True,
        notes="unlike dotenv-flow, .env.local is read in test (measured).",
    ),
}


def get(convention: str) -> Convention:
    """The registry entry, or ``ValueError`` naming the known conventions."""
    try:
        return CONVENTIONS[convention]
    except KeyError:
        raise ValueError(f"unknown convention {convention!r}; known: "
                         f"{', '.join(CONVENTIONS)}") from None


def files_for(convention: str, mode: str | None) -> tuple[str, ...]:
    """File names the convention reads for ``mode``, highest priority first.

    ``mode=None`` means "no mode": NODE_ENV unset for dotenv-flow; the dotenvx default
    (``development``). Next.js only has development/test/production and Vite refuses ``local``:
    other values raise ``ValueError``.
    """
    conv = get(convention)
    name = conv.name
    if name == "dotenv-flow":
        if not mode:
            return (".env.local", ".env", ".env.defaults")
        head = (f".env.{mode}.local", f".env.{mode}")
        local = () if mode == "test" else (".env.local",)
        return head + local + (".env", ".env.defaults")
    if name == "nextjs":
        if mode not in STANDARD_MODES:
            raise ValueError(f"Next.js has no mode {mode!r}: NODE_ENV=test gives 'test', "
                             "otherwise 'development' (next dev) or 'production'")
        return _nextjs_like(mode)
    if name == "vite":
        if not mode or mode == "local":
            raise ValueError("Vite needs a mode other than 'local' (it throws on 'local')")
        return (f".env.{mode}.local", f".env.{mode}", ".env.local", ".env")
    env = mode or "development"
    if name == "dotenvx-nextjs":
        if env in STANDARD_MODES:
            return _nextjs_like(env)
        return (".env.local", ".env")
    return (f".env.{env}.local", f".env.{env}", ".env.local", ".env", ".env.defaults")


def _nextjs_like(mode: str) -> tuple[str, ...]:
    if mode == "test":
        return (".env.test.local", ".env.test", ".env")
    return (f".env.{mode}.local", ".env.local", f".env.{mode}", ".env")


def mode_for(convention: str, environ: Mapping[str, str], *, dev: bool = True) -> str | None:
    """The mode the convention picks from the environment (``dev``: ``next dev``/``vite`` serve).

    dotenv-flow: NODE_ENV (``None`` when unset or empty); Next.js: ``test`` if NODE_ENV is
    ``test``, else by ``dev``; Vite: by ``dev`` (its ``--mode`` flag is not visible here);
    dotenvx: DOTENV_ENV, else NODE_ENV, else ``development``.
    """
    name = get(convention).name
    node_env = environ.get("NODE_ENV") or None
    if name == "dotenv-flow":
        return node_env
    if name == "nextjs":
        if node_env == "test":
            return "test"
        return "development" if dev else "production"
    if name == "vite":
        return "development" if dev else "production"
    return environ.get("DOTENV_ENV") or node_env or "development"


class Winner(Record):
    """Where a variable's value comes from under a convention."""

    value: str
    """The value before any expansion."""
    source: str
    """``"process"`` or the file name."""


def resolve(
    convention: str,
    mode: str | None,
    files: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
    *,
    prefixes: tuple[str, ...] | None = None,
) -> dict[str, Winner]:
    """Which value wins for each variable, given the parsed files that exist.

    ``files`` maps a file name (as in :func:`files_for`) to its parsed values (parse them with the
    convention's :attr:`Convention.parser`); files the convention does not read are ignored. A key
    already in ``environ`` wins even if empty. ``prefixes`` (Vite's ``loadEnv`` prefixes) keeps
    only keys with one of them and adds the process's own matching keys, as ``loadEnv`` returns;
    expansion is left to the caller (it uses these winning values).
    """
    out: dict[str, Winner] = {}
    for name in reversed(files_for(convention, mode)):
        for key, value in files.get(name, {}).items():
            out[key] = Winner(value, name)
    if prefixes is not None:
        out = {k: w for k, w in out.items() if k.startswith(prefixes)}
        extra = {k: v for k, v in environ.items() if k.startswith(prefixes)}
    else:
        extra = {k: v for k, v in environ.items() if k in out}
    for key, value in extra.items():
        out[key] = Winner(value, "process")
    return out
