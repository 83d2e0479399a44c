"""The real Node loaders as a test oracle: dotenv 18.0.10, dotenv-expand 1000.0.0 and
@dotenvx/dotenvx 2.38.2, installed once per test session into a temporary folder.

:func:`real_node_fixture` (the session fixture ``real_node``; import it into a test module to
use it) runs ``npm install --no-audit --no-fund --ignore-scripts`` with npm's own configuration
(whatever registry the user set up) and a timeout. Without node or npm, when the install fails
(offline) or with ``ENVAUDIT_SKIP_NODE=1``, the tests that use it are skipped with the reason.

:func:`run` sends a batch of :class:`Job` to one ``node`` process (the probe script below,
written by us): each probe runs under ``vm``'s timeout, so an input that makes a loader loop
forever reports ``{"hang": true}`` instead of stalling the batch. Child processes are blocked in
that process before the packages load: command substitution (``$(...)``) can never run; a
value that would run one makes the probe report the loader's error instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from envaudit.loaders import dotenv_expand, dotenvx, node_dotenv
from envaudit.loaders.base import LoaderResult

PACKAGES = ("dotenv@18.0.10", "dotenv-expand@1000.0.0", "@dotenvx/dotenvx@2.38.2")
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 600
#: Milliseconds one probe may run before it counts as a hang (the probe script loads every
#: module before timing anything; a probe of a small file takes a few milliseconds).
PROBE_TIMEOUT_MS = 1000

#: What each probe computes for a job (``env`` = the job's environment):
#:
#: * ``parse``, ``parse_fast``: ``dotenv.parse(buf)`` / ``dotenv.parse(buf, {fast: true})``;
#: * ``config``, ``config_override``: ``dotenv.config({path, processEnv: {...env}, override})``,
#:   the processEnv object afterwards;
#: * ``expand``: ``expand({parsed: dotenv.parse(buf), processEnv: {...env}}).parsed``;
#: * ``expand_override``: the same after ``dotenv.config({override: true})`` filled processEnv;
#: * ``dotenvx_parse``, ``dotenvx_parse_overload``: ``dotenvx.parse(buf.toString('utf8'),
#:   {processEnv: {...env}, overload})``;
#: * ``dotenvx_get``, ``dotenvx_get_overload``: ``dotenvx.getSync()`` of the file (what
#:   ``dotenvx get -f FILE [--overload]`` prints) with ``process.env`` = env;
#: * ``options``: ``dotenv.config({processEnv: {...env}})`` with ``process.env`` =
#:   ``process_env`` (the ``DOTENV_*`` option variables): the processEnv object and the log.
PROBES = ("parse", "parse_fast", "config", "config_override", "expand", "expand_override",
          "dotenvx_parse", "dotenvx_parse_overload", "dotenvx_get", "dotenvx_get_overload",
          "options")

PROBE_JS = r"""
'use strict'
// envaudit test harness (written for envaudit): runs the real loaders on a batch of files.
const fs = require('fs')
const vm = require('vm')
const cp = require('child_process')
for (const name of ['exec', 'execSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']) {
  cp[name] = () => { throw new Error('envaudit harness: child processes are blocked') }
}
const logs = []
for (const m of ['log', 'error', 'warn', 'info', 'debug']) {
  console[m] = (...a) => { logs.push(a.map(String).join(' ')) }
}
const dotenv = require('dotenv')
const { expand } = require('dotenv-expand')
const dotenvx = require('@dotenvx/dotenvx')
const [jobsFile, outFile, timeout] = process.argv.slice(2)

function setProcessEnv (env) {
  for (const k of Object.keys(process.env)) delete process.env[k]
  Object.assign(process.env, env)
}
function guarded (fn) {
  try {
    return { ok: vm.runInNewContext('fn()', { fn }, { timeout: Number(timeout) }) }
  } catch (e) {
    if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { hang: true }
    return { error: `${e && e.name}: ${e && e.message}` }
  }
}
const dxOptions = { noArmor: true, noNative: true, no1Password: true, noBitwarden: true }
function config (job, override) {
  const e = { ...job.env }
  dotenv.config({ path: job.path, processEnv: e, override, quiet: true })
  return e
}
function dxParse (job, buf, overload) {
  return dotenvx.parse(buf.toString('utf8'), { processEnv: { ...job.env }, overload })
}
function dxGet (job, overload) {
  setProcessEnv(job.env)
  const envs = [{ type: 'envFile', value: job.path }]
  return dotenvx.getSync(undefined, { envs, overload, ...dxOptions })
}
const probes = {
  parse: (job, buf) => dotenv.parse(buf),
  parse_fast: (job, buf) => dotenv.parse(buf, { fast: true }),
  config: (job) => config(job, false),
  config_override: (job) => config(job, true),
  expand: (job, buf) => expand({ parsed: dotenv.parse(buf), processEnv: { ...job.env } }).parsed,
  expand_override: (job) => {
    const e = { ...job.env }
    const r = dotenv.config({ path: job.path, processEnv: e, override: true, quiet: true })
    return expand({ parsed: r.parsed, processEnv: e }).parsed
  },
  dotenvx_parse: (job, buf) => dxParse(job, buf, false),
  dotenvx_parse_overload: (job, buf) => dxParse(job, buf, true),
  dotenvx_get: (job) => dxGet(job, false),
  dotenvx_get_overload: (job) => dxGet(job, true),
  options: (job) => {
    setProcessEnv(job.process_env || {})
    const e = { ...job.env }
    logs.length = 0
    const r = dotenv.config({ processEnv: e })
    return { env: e, logs: logs.slice(), error: r.error ? String(r.error) : null }
  }
}
// warm up (lazy module loading) before probes run under the timeout
const warm = { path: `${jobsFile}.warm.env`, env: {}, process_env: {} }
fs.writeFileSync(warm.path, 'A=1\n')
for (const name of Object.keys(probes)) {
  try { probes[name](warm, Buffer.from('A=1\n')) } catch {}
}
const out = []
for (const job of JSON.parse(fs.readFileSync(jobsFile, 'utf8'))) {
  const buf = job.path && fs.existsSync(job.path) ? fs.readFileSync(job.path) : Buffer.alloc(0)
  const res = {}
  for (const name of job.probes) res[name] = guarded(() => probes[name](job, buf))
  out.push(res)
}
const versions = {}
for (const p of ['dotenv', 'dotenv-expand', '@dotenvx/dotenvx', '@dotenvx/primitives']) {
  for (const dir of [__dirname, `${__dirname}/node_modules/@dotenvx/dotenvx`]) {
    const file = `${dir}/node_modules/${p}/package.json`
    if (!versions[p] && fs.existsSync(file)) {
      versions[p] = JSON.parse(fs.readFileSync(file, 'utf8')).version
    }
  }
}
fs.writeFileSync(outFile, JSON.stringify({ versions, results: out }))
"""


class NodeLab(NamedTuple):
    """An installed copy of the real loaders."""

    root: Path
    """The folder with ``node_modules`` and the probe script."""
    node: str
    """The ``node`` executable."""
    seconds: float
    """How long ``npm install`` took."""


class Job(NamedTuple):
    """One input for the probe script."""

    data: bytes | None
    """The ``.env`` file's bytes (``None``: no file, for the ``options`` probe)."""
    env: Mapping[str, str]
    """The environment the loaders see (processEnv / process.env)."""
    probes: tuple[str, ...]
    """Names from :data:`PROBES`."""
    process_env: Mapping[str, str] | None = None
    """``process.env`` during the ``options`` probe."""
    path: str | None = None
    """For ``options``: where to write ``data`` (the probe reads ``DOTENV_CONFIG_PATH``)."""


_LABS: dict[str, NodeLab | str] = {}


def install(dest: Path) -> NodeLab | str:
    """Install :data:`PACKAGES` into ``dest``; the lab, or why it could not be installed."""
    import time

    if os.environ.get("ENVAUDIT_SKIP_NODE"):
        return "ENVAUDIT_SKIP_NODE is set"
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are needed to run the real Node loaders"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "package.json").write_text('{"name": "envaudit-node-lab", "private": true}\n')
    started = time.monotonic()
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", *PACKAGES],
            cwd=dest, capture_output=True, timeout=INSTALL_TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm install of {' '.join(PACKAGES)} did not finish: {exc}"
    if done.returncode != 0:
        errors = [row for row in done.stderr.decode("utf-8", "replace").splitlines()
                  if row.startswith("npm error") and row.strip() != "npm error"]
        return f"npm install failed (offline?): {' | '.join(errors[:2])}"
    (dest / "probe.js").write_text(PROBE_JS, encoding="utf-8")
    (dest / "home").mkdir(exist_ok=True)
    return NodeLab(dest, node, time.monotonic() - started)


@pytest.fixture(scope="session", name="real_node")
def real_node_fixture(tmp_path_factory: pytest.TempPathFactory) -> NodeLab:
    """The real loaders, installed once per session (skips the test when they cannot be)."""
    if "lab" not in _LABS:
        _LABS["lab"] = install(tmp_path_factory.mktemp("node-lab"))
    lab = _LABS["lab"]
    if isinstance(lab, str):
        pytest.skip(lab)
    return lab


def run(lab: NodeLab, jobs: list[Job], timeout_ms: int = PROBE_TIMEOUT_MS
        ) -> list[dict[str, Any]]:
    """Each job's probe results (``{"ok": value}``, ``{"error": text}`` or ``{"hang": true}``
    when a probe ran longer than ``timeout_ms``) from one node process."""
    with tempfile.TemporaryDirectory(dir=lab.root) as work:
        spec = []
        for number, job in enumerate(jobs):
            path = job.path or os.path.join(work, f"{number}.env")
            if job.data is not None:
                Path(path).write_bytes(job.data)
            spec.append({"path": path, "env": dict(job.env), "probes": list(job.probes),
                         "process_env": None if job.process_env is None else dict(job.process_env)})
        jobs_file, out_file = os.path.join(work, "jobs.json"), os.path.join(work, "out.json")
        with open(jobs_file, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(lab.root / "home"),
               "LANG": "C.UTF-8", "DOTENVX_NO_ARMOR": "true", "DOTENVX_NO_1PASSWORD": "true",
               "DOTENVX_NO_BITWARDEN": "true"}
        done = subprocess.run(
            [lab.node, str(lab.root / "probe.js"), jobs_file, out_file, str(timeout_ms)],
            cwd=work, env=env, capture_output=True, timeout=RUN_TIMEOUT, check=False,
        )
        if done.returncode != 0 or not os.path.exists(out_file):
            raise AssertionError("the probe script failed: "
                                 + done.stderr.decode("utf-8", "replace")[-2000:])
        with open(out_file, encoding="utf-8") as f:
            out: dict[str, Any] = json.load(f)
    versions = out["versions"]
    expected = {p.rpartition("@")[0]: p.rpartition("@")[2] for p in PACKAGES}
    for name, version in expected.items():
        assert versions[name] == version, f"installed {name} {versions[name]}, not {version}"
    results: list[dict[str, Any]] = out["results"]
    return results


# ---- comparing the models with the real loaders ------------------------------------------

#: A loader's outcome: the object it returns, or "crash" (throws), "hang" (never returns),
#: "runs" (the model says a command would run: not compared, the harness blocks it).
Outcome = Any


def model_outcome(result: LoaderResult) -> Outcome:
    """A model's result in the form :func:`real_outcome` gives."""
    if result.rejected is not None:
        return "hang" if "never ends" in result.rejected else "crash"
    if result.executes:
        return "runs"
    return list(node_dotenv.as_object(result.assignments).items())


def real_outcome(probe: Mapping[str, Any]) -> Outcome:
    """One probe's result as an outcome (objects as (key, value) lists: order counts)."""
    if probe.get("hang"):
        return "hang"
    if "Invalid string length" in probe.get("error", ""):
        # An endless expansion that doubles the text at each step reaches V8's string length
        # limit (RangeError) before the probe's time is up; one that grows slower times out.
        return "hang"
    if "error" in probe:
        return "crash"
    return list(probe["ok"].items())


def js_object(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """A dict as (key, value) pairs in JavaScript object order."""
    return [(k, values[k]) for k in node_dotenv.js_key_order(values)]


def model_outcomes(data: bytes, env: Mapping[str, str]) -> dict[str, Outcome]:
    """What each probe of :data:`PROBES` (but ``options``) should report, by the models."""
    parsed = node_dotenv.read(data, env)
    values = {k: v or "" for k, v in node_dotenv.as_object(parsed.assignments).items()}
    text = node_dotenv.decode(data)
    out: dict[str, Outcome] = {
        "parse": model_outcome(parsed),
        "parse_fast": model_outcome(parsed),
        "config": js_object(node_dotenv.populate(env, values)),
        "config_override": js_object(node_dotenv.populate(env, values, override=True)),
        "expand": model_outcome(dotenv_expand.read(data, env)),
        "expand_override": model_outcome(dotenv_expand.read(data, env, override=True)),
        "dotenvx_parse": model_outcome(dotenvx.parse(text, env)),
        "dotenvx_parse_overload": model_outcome(dotenvx.parse(text, env, overload=True)),
    }
    for name, overload in (("dotenvx_get", False), ("dotenvx_get_overload", True)):
        got = model_outcome(dotenvx.read(data, env, override=overload))
        out[name] = [] if got == "crash" else got  # the file loaders catch a parse error
    return out


def mismatches(
    data: bytes, env: Mapping[str, str], real: Mapping[str, Any], probes: tuple[str, ...]
) -> list[str]:
    """Where the models disagree with the real probe results of one input."""
    expected = model_outcomes(data, env)
    found = []
    for name in probes:
        mine, theirs = expected[name], real_outcome(real[name])
        if mine == "runs":
            continue
        if mine != theirs:
            found.append(f"{name}: model {mine!r} != real {theirs!r} ({real[name]})")
    return found


def blank_commands(data: bytes) -> bytes:
    """The file with every line holding ``$(`` emptied (never sent to a real loader)."""
    return b"\n".join(b"" if b"$(" in row else row for row in data.split(b"\n"))


def check(lab: NodeLab, inputs: list[tuple[bytes, dict[str, str]]], probes: tuple[str, ...],
          timeout_ms: int = PROBE_TIMEOUT_MS) -> None:
    """Run ``probes`` on every (file, environment) with the real packages and fail on the first
    five differences from the models."""
    results = run(lab, [Job(d, e, probes) for d, e in inputs], timeout_ms)
    problems = []
    for (data, env), real in zip(inputs, results):
        found = mismatches(data, env, real, probes)
        if found:
            problems.append(f"{data!r} env={env}: " + "; ".join(found))
    assert not problems, "\n".join(problems[:5])
