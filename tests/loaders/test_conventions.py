"""``envaudit.loaders.conventions`` against the measured priority orders (``precedence.json``).

Every "peel" order (dotenv-flow, Next.js, Vite, dotenvx nextjs/flow x development/test/production)
is reproduced, and the measured end results of the dotenv-flow, Next.js, Vite and dotenvx runs
(who wins, which files were read, pre-set and empty process variables) are recomputed from the
fixtures the experiments wrote (``run_precedence.py``), with values taken as written (these
fixtures need no dotenv parsing; expansion of ``${WHO}`` is done here by hand).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from envaudit.loaders import conventions
from envaudit.loaders.conventions import CONVENTIONS, files_for, mode_for, resolve

from . import compose_truth

PEEL_FILES = (".env", ".env.local", ".env.development", ".env.development.local", ".env.test",
              ".env.test.local", ".env.production", ".env.production.local")
_PEEL_LOADERS = {
    "dotenv-flow": "dotenv-flow",
    "nextjs(@next/env, dev=NODE_ENV!=production)": "nextjs",
    "vite loadEnv(mode=NODE_ENV)": "vite",
    "dotenvx --convention nextjs": "dotenvx-nextjs",
    "dotenvx --convention flow": "dotenvx-flow",
}


def measured() -> dict[str, Any]:
    return compose_truth.precedence()


def _peel_mode(convention: str, node_env: str) -> str | None:
    environ = {"NODE_ENV": node_env}
    if convention == "vite":
        return node_env  # loadEnv(process.env.NODE_ENV, ...)
    return mode_for(convention, environ, dev=node_env != "production")


@pytest.mark.parametrize("label", sorted(measured()["file_priority_order_measured"]))
def test_measured_priority_orders(label: str) -> None:
    loader, node_env = label.rsplit(" NODE_ENV=", 1)
    convention = _PEEL_LOADERS[loader]
    order = files_for(convention, _peel_mode(convention, node_env))
    expected = measured()["file_priority_order_measured"][label]
    assert [f for f in order if f in PEEL_FILES] == expected


def test_every_convention_and_mode_was_measured() -> None:
    labels = set(measured()["file_priority_order_measured"])
    assert len(labels) == len(_PEEL_LOADERS) * 3
    assert set(_PEEL_LOADERS.values()) == set(CONVENTIONS)


def _seen(name: str) -> str:
    return "SEEN_" + name.replace(".", "_").upper().strip("_")


def _flow_fixture() -> dict[str, dict[str, str]]:
    return {f: {"WHO": f, _seen(f): "1", "EMPTY_PRESET": f} for f in PEEL_FILES}


@pytest.mark.parametrize("run", sorted(measured()["dotenv_flow"]))
def test_measured_dotenv_flow_runs(run: str) -> None:
    environ: dict[str, str] = {"EMPTY_PRESET": ""}
    node_env = run.split("NODE_ENV=", 1)[1].split(",", 1)[0]
    if node_env != "unset":
        environ["NODE_ENV"] = node_env
    if run.endswith("preset_WHO"):
        environ = {"NODE_ENV": node_env, "WHO": "shell"}
    winners = resolve("dotenv-flow", mode_for("dotenv-flow", environ), _flow_fixture(), environ)
    got = {k: w.value for k, w in winners.items()}
    assert got == measured()["dotenv_flow"][run]["result"]["stdout"]


def _next_fixture() -> dict[str, dict[str, str]]:
    files = {f: {"WHO": f, _seen(f): "1"} for f in PEEL_FILES}
    files[".env"] = {"WHO": ".env", "SEEN_ENV": "1", "EMPTY_PRESET": "from_file",
                     "REF": "${WHO}-ref"}
    return files


def _expand(values: dict[str, str]) -> dict[str, str]:
    """``${X}`` with the winning values (all these fixtures need)."""
    return {k: re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), v)
            for k, v in values.items()}


@pytest.mark.parametrize("run", sorted(measured()["nextjs_@next/env"]))
def test_measured_nextjs_runs(run: str) -> None:
    dev = run.startswith("dev_")
    node_env = run.split("NODE_ENV=", 1)[1]
    environ = {"EMPTY_PRESET": ""}
    if node_env != "unset":
        environ["NODE_ENV"] = node_env
    mode = mode_for("nextjs", environ, dev=dev)
    files = _next_fixture()
    winners = resolve("nextjs", mode, files, environ)
    got: dict[str, Any] = _expand({k: w.value for k, w in winners.items()})
    got["_loadedEnvFiles"] = [f for f in files_for("nextjs", mode) if f in files]
    assert got == measured()["nextjs_@next/env"][run]["result"]["stdout"]


@pytest.mark.parametrize("run", sorted(measured()["vite_loadEnv"]))
def test_measured_vite_runs(run: str) -> None:
    mode = run.split("mode=", 1)[1]
    names = (".env", ".env.local", ".env.development", ".env.development.local", ".env.production")
    files = {f: {"VITE_WHO": f, "WHO": f} for f in names}
    files[".env"].update({"VITE_EMPTY_PRESET": "from_file", "VITE_SET_PRESET": "from_file",
                          "VITE_REF": "${VITE_WHO}-ref"})
    environ = {"VITE_EMPTY_PRESET": "", "VITE_SET_PRESET": "shell", "PATH": "/bin"}
    expected = measured()["vite_loadEnv"][run]["result"]["stdout"]
    prefixed = resolve("vite", mode, files, environ, prefixes=("VITE_",))
    assert _expand({k: w.value for k, w in prefixed.items()}) == expected["prefix_VITE"]
    everything = resolve("vite", mode, files, environ, prefixes=("",))
    shown = {k: w.value for k, w in everything.items() if re.search("WHO|PRESET|REF", k)}
    assert _expand(shown) == expected["all_prefixes"]


@pytest.mark.parametrize("run", sorted(k for k in measured()["dotenvx"] if "convention" in k))
def test_measured_dotenvx_convention_runs(run: str) -> None:
    convention = "dotenvx-" + run.split("_")[1]
    environ = {"NODE_ENV": run.split("NODE_ENV=", 1)[1], "EMPTY_PRESET": "",
               "SET_PRESET": "shell"}
    files = {".env": {"K": "from_env", "EMPTY_PRESET": "from_file", "SET_PRESET": "from_file"},
             ".env.local": {"K": "from_env_local"}}
    for f in (".env.development", ".env.development.local", ".env.test", ".env.production.local"):
        files[f] = {"K": f}
    winners = resolve(convention, mode_for(convention, environ), files, environ)
    got = {k: w.value for k, w in winners.items()}
    assert got == measured()["dotenvx"][run]["result"]["stdout"]


# --------------------------------------------------------------------------- unit facts


def test_custom_modes_and_refusals() -> None:
    assert files_for("dotenv-flow", "staging") == (
        ".env.staging.local", ".env.staging", ".env.local", ".env", ".env.defaults")
    assert files_for("dotenv-flow", None) == (".env.local", ".env", ".env.defaults")
    assert files_for("vite", "staging") == (
        ".env.staging.local", ".env.staging", ".env.local", ".env")
    assert files_for("dotenvx-nextjs", "staging") == (".env.local", ".env")
    assert files_for("dotenvx-flow", None)[:2] == (".env.development.local", ".env.development")
    with pytest.raises(ValueError, match="Next.js"):
        files_for("nextjs", "staging")
    with pytest.raises(ValueError, match="local"):
        files_for("vite", "local")
    with pytest.raises(ValueError, match="unknown convention"):
        files_for("rails", "development")


def test_local_file_in_test_mode() -> None:
    in_test = {name: ".env.local" in files_for(name, "test") for name in CONVENTIONS}
    assert in_test == {name: c.local_in_test for name, c in CONVENTIONS.items()}
    assert in_test == {"dotenv-flow": False, "nextjs": False, "vite": True,
                       "dotenvx-nextjs": False, "dotenvx-flow": True}


def test_mode_for() -> None:
    assert mode_for("nextjs", {"NODE_ENV": "staging"}, dev=False) == "production"
    assert mode_for("nextjs", {"NODE_ENV": "test"}, dev=False) == "test"
    assert mode_for("dotenv-flow", {"NODE_ENV": ""}) is None
    assert mode_for("dotenvx-flow", {"NODE_ENV": "test", "DOTENV_ENV": "ci"}) == "ci"
    assert mode_for("vite", {"NODE_ENV": "test"}, dev=False) == "production"


def test_process_variables_win_everywhere_even_empty() -> None:
    files = {".env": {"K": "file"}}
    for name in CONVENTIONS:
        conv = conventions.get(name)
        assert conv.process_env_wins and conv.empty_process_var_wins
        mode = "development"
        assert resolve(name, mode, files, {"K": ""})["K"] == conventions.Winner("", "process")
        assert resolve(name, mode, files, {})["K"].source == ".env"


def test_parsing_and_expansion_facts() -> None:
    """Frameworks parse like node dotenv and expand without running commands (measured)."""
    parsed = measured()["framework_parsing"]["hash_quotes_cmdsubst_unbraced"]["result"]["stdout"]
    for framework in ("next", "vite"):
        assert parsed[framework] == {"A": "abc", "B": "q", "C": "$(echo injected)", "D": "abc-x"}
    assert {n: (c.parser, c.expands, c.executes_commands) for n, c in CONVENTIONS.items()} == {
        "dotenv-flow": ("node_dotenv", False, False),
        "nextjs": ("node_dotenv", True, False),
        "vite": ("node_dotenv", True, False),
        "dotenvx-nextjs": ("dotenvx", True, True),
        "dotenvx-flow": ("dotenvx", True, True),
    }
