"""Rule case folders (``tests/rules/cases/<ID>/<case>/``): loading, running and rendering.

A case is a small project: dotenv files, maybe a manifest or app code, and an optional
``case.toml``::

    # The process environment of the run. No [env] table: the run uses --no-process-env.
    [env]
    ANTHROPIC_API_KEY = "sk-ant-api03-…"
    HOME = "{case}/home"            # {case} is replaced by the case folder's absolute path

    [options]
    env-files = ["docker.env"]      # --env-file, relative to the case folder
    loaders = ["docker-env-file"]   # --loader
    provider = "anthropic"          # --provider
    no-process-env = true           # --no-process-env even with an [env] table
    release-data = "releases.toml"  # EA501: this release data instead of the bundled one

A rule that compares environments (EA706, run by ``envaudit diff``) has cases whose
``case.toml`` holds a ``[diff]`` table instead: each listed subfolder is an environment (a
project of its own, with its own ``case.toml``), snapshotted through the real pipeline and
compared in order, under the labels given (the file names a user would pass to ``diff``)::

    [diff]
    environments = ["dev", "prod"]            # subfolders of the case
    labels = ["dev.json", "prod.json"]        # optional; default: the folder names
    names = ["", "production"]                # optional: each snapshot's --name ("": none)

A rule about running processes (EA705, EA801, EA802) has cases that start real ones: each
``[[process]]`` table is a process the harness starts before the scan (``started``), passes
with ``--pid`` in table order, and kills after::

    [[process]]
    env = {ANTHROPIC_API_KEY = "sk-ant-…"}  # its whole environment ({case} and PATH as [env])
    argv = ["--api-key", "sk-ant-…"]         # it runs `python -c SLEEP ARGV...` in the case
                                             # folder: argument 3 is ARGV's first
    state = "exited"                         # optional: "running" (default), "exited" (started
                                             # and reaped before the scan), "zombie" (exited,
                                             # not reaped until after it)

Pids change from run to run: in ``.expected`` messages each pid read is ``<pid1>``,
``<pid2>``… in ``--pid`` order, then each pid not read (skipped) in the same order.

A case whose scenery cannot be committed as files (a git repository of its own, file modes,
keys that look real) has a ``[setup]`` table: the case then runs in a temporary copy of its
folder (made once per test run, deleted at exit), set up in this order::

    [setup]
    real-keys = true           # replace {{real-key:KIND:TAG}} in every file with a key that
                               # looks real (KIND: api03, admin01, oat01, openai, github, aws;
                               # the same KIND:TAG gives the same key): committed keys are
                               # spelled FAKE/EXAMPLE, which EA703/EA704 rightly pass over
    chmod = {".env" = "600"}   # file modes (git checks files out 0644 or 0755, whatever the
                               # case needs)
    git = "commit"             # "init": an empty repository at the copy's top; "commit": the
                               # same, then `git add .` (what .gitignore lets through) and a
                               # commit
    git-add-force = [".env"]   # `git add -f` these before the commit (tracked although ignored)
    root = "services/api"      # audit this folder of the copy (a root inside the repository)

git runs with no global or system configuration; without a ``git`` binary such a case is
skipped. ``{case}`` in ``[env]`` names the folder the case runs in (the copy, when there is one).

A verdict of ``envaudit probe`` (EA9xx) has cases whose ``case.toml`` holds a ``[probe]``
table: the harness starts the servers it names on 127.0.0.1 (``tests/probe/doubles.py``),
fills their addresses into ``[env]`` (``{api}``, ``{other}``, ``{proxy}``, ``{proxy-auth}``:
the proxy with the user and password ``proxy.py-auth`` wants, ``{ca}``: a bundle that trusts
the API double, ``{mitm-ca}``: one that also trusts the intercepting proxy,
``{unresolvable}``: a ``.invalid`` host name), collects the case, runs the real probe
(``envaudit.probe.plan.prepare``, then ``envaudit.probe.run.run``) on what the app would use,
and puts its result into the snapshot before the rules run (``tests/probe/scenery.py``)::

    [probe]
    server = "api"           # what answers at {api}: "api" (the API double, the default),
                             # "silent", "silent-tls", "reset", "garbage" (not TLS),
                             # "slow-loris", "slow-loris-body"
    api = {status = 401}     # the API double's options: status, models, key, body,
                             # content-type, body-size, redirect (may name {other}),
                             # redirect-status, cert-hosts, expired, prefix, tls, message,
                             # error-type, retry-after
    other = {}               # a second API double at {other} (named localhost: another host);
                             # the case fails if the credential reaches it
    proxy = "proxy.py"       # at {proxy}: "proxy.py", "proxy.py-auth" (407 unless the
                             # request carries {proxy-auth}'s user and password), "mitm"
                             # (intercepts TLS with its own CA), "closing" (closes mid-
                             # CONNECT), "refusing" (403), "silent"
    timeout = 2.0            # the probe's bound per stage and in total (the defaults), and
    total = 5.0              # --messages; the case fails as a hang past total + 10 s
    messages = false

Such a case runs the EA9 rules alone, as ``envaudit probe`` does. Ports change from run to run:
in ``.expected`` messages the API's, the proxy's and a redirect's port are ``<api-port>``,
``<proxy-port>`` and ``<other-port>``, the folder of the CA files ``<pki>`` and the case's
own ``<case>``.

Every case runs offline (``--offline``: no package index is asked; a ``file:`` index in the
case's ``[env]`` is still read). EA501 runs only in its own folder: its findings follow the
bundled release data, which a refresh changes, and every other case with an SDK installed would
change with it. EA604 (info: the base URL is not Anthropic's) likewise runs only in
its own folder: it would add a line to every case whose scenery is a gateway. So do EA701 and
EA702: the case folders live in envaudit's own repository, whose git tracks their ``.env`` files
(added with ``-f``) and checks them out with mode 0644, so both would fire in every case with a
secret in a ``.env``; git is asked only in EA701's folders (``CollectOptions.git``), each of
which builds its own repository with ``[setup] git``.

Next to the folder, ``<case>.expected`` holds one line per finding,
``ID:source:path:line:message`` (empty fields stay empty), in report order.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit import engine
from envaudit.catalogue import load_toml
from envaudit.collectors.base import CollectOptions
from envaudit.engine import Report
from envaudit.host import Host
from envaudit.model import Finding
from envaudit.rules import ALL_RULES

CASES = Path(__file__).resolve().parent / "cases"
#: The scan date of every case (EA607/EA608 compare end-of-life dates with it): goldens must
#: not change with the calendar.
CASE_DATE = "2026-12-06"
_OPTIONS = {"env-files", "loaders", "provider", "no-process-env", "release-data"}


@dataclass(frozen=True)
class Case:
    """One case folder."""

    rule_id: str
    """The rule the folder documents (``EA103``)."""
    path: Path
    """The case folder (``.../EA103/bad``)."""

    @property
    def name(self) -> str:
        """``bad``, ``good`` or ``edge-<name>``."""
        return self.path.name

    @property
    def expected_path(self) -> Path:
        """``.../EA103/bad.expected``."""
        return self.path.with_name(self.path.name + ".expected")

    @property
    def id(self) -> str:
        """``EA103/bad``: the pytest id."""
        return f"{self.rule_id}/{self.name}"


def all_cases(root: Path = CASES) -> list[Case]:
    """Every case folder, sorted by rule then name."""
    return [
        Case(rule_dir.name, case_dir)
        for rule_dir in sorted(p for p in root.iterdir() if p.is_dir())
        for case_dir in sorted(p for p in rule_dir.iterdir() if p.is_dir())
    ]


def case_config(case: Case) -> dict[str, Any]:
    """``case.toml``, or an empty table."""
    path = case.path / "case.toml"
    return load_toml(path) if path.is_file() else {}


def options(case: Case, places: Mapping[str, str] | None = None) -> CollectOptions:
    """The ``CollectOptions`` the CLI would build for this case (``places``: a ``[probe]``
    scenery's placeholders, filled into ``[env]``)."""
    config = case_config(case)
    unknown = set(config) - {"env", "options", "diff", "process", "setup", "probe"}
    opts = config.get("options", {})
    unknown |= set(opts) - _OPTIONS
    if unknown:
        raise ValueError(f"{case.id}/case.toml: unknown keys {sorted(unknown)}")
    env = config.get("env")
    environ = _environ(case, env or {}, places)
    loaders = opts.get("loaders")
    folder = prepared(case)
    root = (folder / config.get("setup", {}).get("root", ".")).resolve()
    return CollectOptions(
        root=str(root),
        env_files=tuple(str(root / p) for p in opts.get("env-files", [])),
        process_env=env is not None and not opts.get("no-process-env", False),
        loaders=tuple(loaders) if loaders else None,
        provider=opts.get("provider"),
        environ=environ,
        offline=True,
        release_data=str(root / opts["release-data"]) if "release-data" in opts else None,
        today=CASE_DATE,
        git=case.rule_id == "EA701",
    )


#: Setup keys (module docstring) and the keys ``real-keys`` makes: prefix, length, alphabet.
_SETUP = {"real-keys", "chmod", "git", "git-add-force", "root"}
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_ALNUM = _KEY_ALPHABET[:62]
_REAL_KEYS = {
    "api03": ("sk-ant-api03-", 93, _KEY_ALPHABET, "AA"),
    "admin01": ("sk-ant-admin01-", 93, _KEY_ALPHABET, "AA"),
    "oat01": ("sk-ant-oat01-", 93, _KEY_ALPHABET, "AA"),
    "openai": ("sk-proj-", 48, _ALNUM, ""),
    "github": ("ghp_", 36, _ALNUM, ""),
    "aws": ("AKIA", 16, _ALNUM[:26] + _ALNUM[52:], ""),
}
_REAL_KEY = re.compile(r"\{\{real-key:(\w+):([\w.-]+)\}\}")
#: Each case folder's prepared copy, made once per run.
_PREPARED: dict[Path, Path] = {}


def real_key(kind: str, tag: str) -> str:
    """A key of ``kind`` that looks real (random characters, no FAKE/EXAMPLE), the same for the
    same ``kind`` and ``tag`` (goldens show its hint). Never a live key: derived from a hash."""
    import hashlib

    prefix, length, alphabet, suffix = _REAL_KEYS[kind]
    digest = b""
    while len(digest) < length:
        digest += hashlib.sha256(f"envaudit-case:{kind}:{tag}:{len(digest)}".encode()).digest()
    return prefix + "".join(alphabet[b % len(alphabet)] for b in digest[:length]) + suffix


def prepared(case: Case) -> Path:
    """The folder the case runs in: its own, or a set-up temporary copy (``[setup]``)."""
    setup = case_config(case).get("setup")
    if setup is None:
        return case.path
    copy = _PREPARED.get(case.path)
    if copy is None:
        copy = _PREPARED[case.path] = _set_up(case, setup)
    return copy


def _set_up(case: Case, setup: Mapping[str, Any]) -> Path:
    """A temporary copy of the case folder, set up as ``[setup]`` says."""
    import atexit
    import os
    import shutil
    import tempfile

    unknown = set(setup) - _SETUP
    if unknown:
        raise ValueError(f"{case.id}/case.toml: unknown [setup] keys {sorted(unknown)}")
    git = shutil.which("git")
    if "git" in setup and git is None:
        import pytest

        pytest.skip("git is not installed")
    top = Path(tempfile.mkdtemp(prefix="envaudit-case-"))
    atexit.register(shutil.rmtree, top, True)
    copy = top / case.name
    shutil.copytree(case.path, copy, symlinks=True)
    (copy / "case.toml").unlink()
    if setup.get("real-keys"):
        for path in sorted(p for p in copy.rglob("*") if p.is_file() and not p.is_symlink()):
            text = path.read_text(encoding="utf-8")
            path.write_text(_REAL_KEY.sub(lambda m: real_key(m.group(1), m.group(2)), text),
                            encoding="utf-8")
    for rel, mode in setup.get("chmod", {}).items():
        os.chmod(copy / rel, int(mode, 8))
    if "git" in setup:
        assert git is not None and setup["git"] in ("init", "commit"), setup["git"]
        env = {"PATH": os.environ.get("PATH", os.defpath), "GIT_CONFIG_GLOBAL": os.devnull,
               "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(top), "LC_ALL": "C"}
        config = ["-c", "user.name=Case", "-c", "user.email=case@example.invalid",
                  "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]

        def run_git(*args: str) -> None:
            subprocess.run([git, *config, *args], cwd=copy, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        run_git("init", "-q")
        if setup["git"] == "commit":
            run_git("add", ".")
            if setup.get("git-add-force"):
                run_git("add", "-f", "--", *setup["git-add-force"])
            run_git("commit", "-q", "--allow-empty", "-m", "case")
    return copy


def _environ(case: Case, table: Mapping[str, Any], places: Mapping[str, str] | None = None
             ) -> dict[str, str]:
    """An ``[env]`` (or a process's ``env``) table as an environment: ``{case}`` (and a
    ``[probe]`` scenery's placeholders) replaced, a PATH turned into scenery."""
    folder = prepared(case)
    fill = {"case": str(folder), **(places or {})}
    environ = {k: _FIELD.sub(lambda m: fill.get(m.group(1), m.group(0)), str(v))
               for k, v in table.items()}
    if "PATH" in environ and "{case}" not in str(table["PATH"]):
        # a case's PATH is scenery: the interpreters of the machine running the tests must not
        # join its inventory (a PATH naming {case}/... is the case's own)
        environ["PATH"] = str(folder / ".no-such-bin")
    return environ


#: A placeholder in an ``[env]`` value: ``{case}``, ``{api}``, ``{proxy-auth}``…
_FIELD = re.compile(r"\{([a-z][a-z-]*)\}")


#: What a case's running process does (``python -c SLEEP ARGV...``).
SLEEP = "import time; time.sleep(300)"


@contextmanager
def started(case: Case) -> Iterator[CollectOptions]:
    """``options(case)`` with the case's ``[[process]]`` tables started and given as
    ``--pid`` (in table order), each killed and reaped on exit, and its ``[probe]`` servers
    started (``scenery``), stopped on exit."""
    with ExitStack() as stack:
        places = stack.enter_context(scenery(case)).places if _probes(case) else None
        opts = options(case, places)
        tables = case_config(case).get("process", [])
        pids = [stack.enter_context(_process(case, table)) for table in tables]
        yield opts._replace(pids=tuple(pids)) if pids else opts


def _probes(case: Case) -> bool:
    return "probe" in case_config(case)


#: The scenery of the ``[probe]`` case being run (``started`` sets it, ``run`` probes it).
_SCENERY: list[Any] = []


@contextmanager
def scenery(case: Case) -> Iterator[Any]:
    """The case's ``[probe]`` servers (``tests/probe/scenery.py``), started; stopped on exit."""
    from probe.scenery import started as start_scenery

    with start_scenery(case_config(case)["probe"]) as started_scenery:
        _SCENERY[:] = [started_scenery]
        try:
            yield started_scenery
        finally:
            _SCENERY.clear()


@contextmanager
def _process(case: Case, table: Mapping[str, Any]) -> Iterator[int]:
    """One ``[[process]]``: its pid, in the state asked for."""
    unknown = set(table) - {"env", "argv", "state"}
    state = table.get("state", "running")
    if unknown or state not in ("running", "exited", "zombie"):
        raise ValueError(f"{case.id}/case.toml: bad [[process]] {sorted(unknown) or state}")
    environ = _environ(case, table.get("env", {}))
    code = SLEEP if state == "running" else "pass"
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, table.get("argv", []))],
                            env=environ, cwd=prepared(case))
    try:
        if state == "exited":
            proc.wait()
        else:
            _wait_until_ready(proc.pid, state, bool(environ))
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def _wait_until_ready(pid: int, state: str, has_environ: bool) -> None:
    """Until exec has set the process up (Linux shows an empty environment for a moment after
    ``Popen`` returns), or until it is a zombie."""
    import psutil

    deadline = time.monotonic() + 10
    process = psutil.Process(pid)
    while True:
        if state == "zombie":
            ready = process.status() == psutil.STATUS_ZOMBIE
        else:
            ready = not has_environ or bool(process.environ())
        if ready:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"process {pid} never became {state}")
        time.sleep(0.005)


#: Rules run only in their own case folders: EA501 (its findings follow the bundled release
#: data), EA604 (an info finding for every case whose scenery is a gateway base URL), EA701 and
#: EA702 (the case folders' .env files are tracked by envaudit's own git and checked out 0644).
OWN_FOLDER_ONLY = ("EA501", "EA604", "EA701", "EA702")
#: The rules a ``[probe]`` case runs: ``envaudit probe`` runs the EA9 family alone (a probe's
#: scenery, a private CA bundle, a proxy, is what EA3xx/EA4xx report in a scan).
PROBE_FAMILY = "EA9"


def run(case: Case) -> Report:
    """Collect and audit the case through the real pipeline (``OWN_FOLDER_ONLY`` rules only in
    their own folders); a ``[diff]`` case is compared instead (``run_diff``)."""
    if "diff" in case_config(case):
        return run_diff(case)
    rules = tuple(r for r in ALL_RULES
                  if r.meta.id not in OWN_FOLDER_ONLY or case.rule_id == r.meta.id)
    with started(case) as opts:
        snapshot = engine.collect(opts)
        if _SCENERY:  # a [probe] case: what envaudit probe finds, with the rules it runs
            from probe.scenery import probe

            snapshot = snapshot._replace(probe=probe(_SCENERY[0], snapshot))
            rules = tuple(r for r in ALL_RULES if r.meta.id.startswith(PROBE_FAMILY))
        return engine.audit(snapshot, rules)


#: The host every case's snapshot records: goldens must not name the machine running them.
CASE_HOST = Host(system="Linux 6.1.0", machine="x86_64", distribution="Debian GNU/Linux 12",
                 hostname="case-host", container=None, python="3.11.7 (cpython)",
                 envaudit="0.1.0", time=f"{CASE_DATE}T12:00:00Z")


def run_diff(case: Case) -> Report:
    """Snapshot each environment of a ``[diff]`` case through the real pipeline, compare them
    as ``envaudit diff`` does, and return the comparison's findings as a report over the first
    environment's snapshot (so the redaction checks see its values)."""
    from envaudit.diff import compare
    from envaudit.snapshots.document import EnvironmentName, snapshot_dict
    from envaudit.snapshots.load import load_document

    table = case_config(case)["diff"]
    folders = table["environments"]
    labels = table.get("labels", folders)
    names = table.get("names", [""] * len(folders))
    loaded, reports = [], []
    for folder, label, name in zip(folders, labels, names):
        report = run(Case(case.rule_id, case.path / folder))
        reports.append(report)
        env_name = EnvironmentName(name, "--name") if name else None
        loaded.append(load_document(snapshot_dict(report, CASE_HOST, env_name), label))
    comparison = compare(loaded)
    return Report(reports[0].snapshot, comparison.findings, ALL_RULES)


def line_of(finding: Finding) -> str:
    """``ID:source:path:line:message``."""
    loc = finding.location
    line = "" if loc.line is None else str(loc.line)
    return f"{finding.rule_id}:{loc.source}:{loc.path or ''}:{line}:{finding.message}"


def render(report: Report) -> str:
    """The ``.expected`` text for a report (pids as ``<pid1>``…, a probe's ports as
    ``<api-port>``…: module docstring)."""
    text = "".join(line_of(f) + "\n" for f in report.findings)
    snapshot = report.snapshot
    if snapshot.probe is not None:
        from probe.scenery import normalise_result

        text = normalise_result(text, snapshot.probe, snapshot.root)
    pids = [e.pid for e in snapshot.pids]
    pids += [s.pid for s in snapshot.skipped if s.source == "pid" and s.pid is not None]
    if not pids:
        return text
    names = {str(pid): f"<pid{i}>" for i, pid in enumerate(dict.fromkeys(pids), start=1)}
    return re.sub(r"(?<![\w.])\d+(?!\w)", lambda m: names.get(m.group(0), m.group(0)), text)


def case_files(case: Case) -> Iterator[Path]:
    """The files of a case, ``case.toml`` included."""
    yield from sorted(p for p in case.path.rglob("*") if p.is_file())
