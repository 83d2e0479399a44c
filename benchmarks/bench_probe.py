#!/usr/bin/env python3
"""Benchmark ``envaudit probe`` against a local API double (issue 7: a full probe within
150 ms, whole process).

Usage::

    python benchmarks/bench_probe.py [--repeat 21] [--warmup 3]
                                     [--launcher auto|module|script] [--json FILE]

What it does:

1. makes a test CA with ``trustme`` (the test extra) and starts, in a thread of this process,
   an HTTPS double of the API on 127.0.0.1 whose certificate that CA signed: ``GET
   /v1/models`` answers Anthropic's list (three models), anything else a 404 in Anthropic's
   error shape; every connection is closed after its answer;
2. writes a small project in a temporary folder: ``.env`` (a fake key, ``ANTHROPIC_BASE_URL``
   pointing at the double, ``SSL_CERT_FILE`` naming the CA, ``ANTHROPIC_MODEL``), ``app.py``
   (``import anthropic``, ``load_dotenv()``) and ``requirements.txt``;
3. times, with warm-up runs first and every command of a repetition run back to back (the
   order rotating from one repetition to the next), each in a fresh process with a minimal
   environment (``PATH``, ``HOME``, ``ENVAUDIT_OFFLINE=1``: no proxy or CA variable of the
   machine):

   * ``envaudit probe PROJECT`` (text, to a pipe) and ``--format json``;
   * ``envaudit scan --select EA802 PROJECT``: the same start-up and collection with one
     trivial rule and no request (what the probe adds is the difference);
   * the floors: ``curl`` of the same URL with the same headers and ``--cacert``, a minimal
     Python TLS client run by the same interpreter (``socket`` + ``ssl``, the CA file,
     ``GET``, read to the end), and ``python -c pass``;

4. times the phases inside one probe process (``--phases``, default on): importing the CLI,
   collecting the project, planning, probing, auditing and rendering, medians over the timed
   runs;
5. prints the medians, quartiles, the ratios to each floor and the goal, and with ``--json
   FILE`` writes every sample.

The repository root is prepended to ``PYTHONPATH`` (the working tree is measured) and the
package is byte-compiled first. The harness exits 0 whatever the figures (it reports, it
does not gate CI); 2 when it cannot run (no ``trustme``).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from common import launcher, time_command

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
#: Issue 7: a full probe against a local double, whole process.
GOAL_MS = 150.0
#: A fake key in the shape of a real one.
FAKE_KEY = "sk-ant-api03-" + ("FAKE-BENCH-PROBE-0000-" * 5)[:93] + "AA"
MODELS = ("claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5")
#: The floor written in Python: what the probe does at the least (TLS with the CA file, one
#: request, read to the end), by the same interpreter.
PYTHON_FLOOR = (
    "import socket, ssl, sys\n"
    "ca, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]\n"
    "context = ssl.create_default_context(cafile=ca)\n"
    "with socket.create_connection(('127.0.0.1', port)) as raw:\n"
    "    with context.wrap_socket(raw, server_hostname='127.0.0.1') as tls:\n"
    "        tls.sendall(('GET /v1/models?limit=1000 HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\n'\n"
    "                     'Authorization: Bearer %s\\r\\nanthropic-version: 2026-10-21\\r\\n'\n"
    "                     'Connection: close\\r\\n\\r\\n' % (port, key)).encode())\n"
    "        while tls.recv(65536):\n"
    "            pass\n"
)
#: One probe in a process, its phases timed (printed as JSON on stdout).
PHASES = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import sys, os\n"
    "from envaudit import cli\n"
    "t1 = time.perf_counter()\n"
    "rules = cli._probe_rules()\n"
    "report, conf, _ = cli._audit(sys.argv[1], config_file=None, only=rules)\n"
    "t2 = time.perf_counter()\n"
    "from envaudit.probe.plan import prepare\n"
    "planned = prepare(report.view())\n"
    "t3 = time.perf_counter()\n"
    "from envaudit.probe.run import run\n"
    "result = run(planned.target, planned.credential, proxy_auth=planned.proxy_auth,\n"
    "             secrets=cli._State.secrets)\n"
    "t4 = time.perf_counter()\n"
    "from envaudit import engine\n"
    "from envaudit.probe.render import render\n"
    "audited = engine.audit(report.snapshot._replace(probe=result), rules)\n"
    "text = render(audited, result, 'text')\n"
    "cli._State.secrets.check(text)\n"
    "t5 = time.perf_counter()\n"
    "import json\n"
    "print(json.dumps({'import the CLI': t1 - t0, 'collect the project': t2 - t1,\n"
    "                  'plan': t3 - t2, 'probe (run)': t4 - t3,\n"
    "                  'audit and render': t5 - t4, 'status': result.status,\n"
    "                  'stages': {s.name: s.ms for s in result.stages}}))\n"
)


class Double:
    """The API double: HTTPS on 127.0.0.1, one thread per connection."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port: int = self.sock.getsockname()[1]
        self.requests = 0
        body = json.dumps({"data": [{"type": "model", "id": m} for m in MODELS],
                           "has_more": False}).encode()
        self.ok = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                   b"request-id: req_bench\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
        error = json.dumps({"type": "error", "error": {"type": "not_found_error",
                                                       "message": "Not found"}}).encode()
        self.missing = (b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                        b"content-length: %d\r\n\r\n" % len(error) + error)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            with self.context.wrap_socket(conn, server_side=True) as tls:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = tls.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.requests += 1
                line = data.split(b"\r\n", 1)[0]
                tls.sendall(self.ok if line.startswith(b"GET ") and b"/v1/models" in line
                            else self.missing)
        except (OSError, ssl.SSLError):
            pass


def _project(folder: Path, port: int, ca: Path) -> Path:
    project = folder / "app"
    project.mkdir()
    (project / ".env").write_text(
        f"ANTHROPIC_API_KEY={FAKE_KEY}\nANTHROPIC_BASE_URL=https://127.0.0.1:{port}\n"
        f"SSL_CERT_FILE={ca}\nANTHROPIC_MODEL=claude-sonnet-4-6\n")
    (project / ".env").chmod(0o600)
    (project / "app.py").write_text(
        "from dotenv import load_dotenv\nload_dotenv()\nimport anthropic\n\n"
        "client = anthropic.Anthropic()\n")
    (project / "requirements.txt").write_text("anthropic\npython-dotenv\n")
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--launcher", choices=("auto", "module", "script"), default="auto")
    parser.add_argument("--no-phases", action="store_true",
                        help="do not time the phases inside a probe process")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be positive, --warmup not negative")
    try:
        import trustme
    except ImportError:
        print("bench_probe: needs trustme (pip install -e '.[test]')", file=sys.stderr)
        return 2
    compileall.compile_dir(str(REPO_ROOT / "envaudit"), quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="envaudit-bench-probe-"))
    try:
        ca = trustme.CA()
        ca_file = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1").configure_cert(server)
        double = Double(server)
        project = _project(folder, double.port, ca_file)
        return _bench(args, double, project, ca_file)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _bench(args: argparse.Namespace, double: Double, project: Path, ca_file: Path) -> int:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(project.parent),
           "ENVAUDIT_OFFLINE": "1", "LANG": "C.UTF-8",
           "PYTHONPATH": str(REPO_ROOT)}
    envaudit = launcher(args.launcher)
    url = f"https://127.0.0.1:{double.port}/v1/models?limit=1000"
    commands: dict[str, tuple[list[str], tuple[int, ...]]] = {
        "envaudit probe": ([*envaudit, "probe", str(project)], (0, 1)),
        "envaudit probe --format json":
            ([*envaudit, "probe", "--format", "json", str(project)], (0, 1)),
        "envaudit scan --select EA802 (no request)":
            ([*envaudit, "scan", "--select", "EA802", str(project)], (0, 1)),
        "python: minimal TLS client": ([sys.executable, "-c", PYTHON_FLOOR, str(ca_file),
                                        str(double.port), FAKE_KEY], (0,)),
        "python -c pass": ([sys.executable, "-c", "pass"], (0,)),
    }
    if shutil.which("curl"):
        commands["curl (same URL, headers, --cacert)"] = (
            ["curl", "--silent", "--show-error", "--include", "--cacert", str(ca_file),
             "-H", f"Authorization: Bearer {FAKE_KEY}", "-H", "anthropic-version: 2026-10-21",
             url], (0,))
    check = subprocess.run([*envaudit, "probe", "--format", "json", str(project)],
                           capture_output=True, env=env, check=False)
    document = json.loads(check.stdout) if check.returncode in (0, 1) else None
    if not isinstance(document, dict) or document.get("status") != 200:
        print(f"bench_probe: the probe did not reach the double: {check.stderr.decode()[-500:]}"
              f"{check.stdout.decode()[-800:]}", file=sys.stderr)
        return 2
    samples: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for rep in range(args.warmup + args.repeat):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            argv, ok = commands[name]
            elapsed = time_command(argv, env, ok)
            if rep >= args.warmup:
                samples[name].append(elapsed)
    phases: dict[str, list[float]] = {}
    if not args.no_phases:
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", PHASES, str(project)],
                                 capture_output=True, env=env, check=True)
            row = json.loads(out.stdout)
            for key, value in row.items():
                if isinstance(value, float):
                    phases.setdefault(key, []).append(value * 1000)
            for stage, ms in row["stages"].items():
                if ms is not None:
                    phases.setdefault(f"  stage {stage}", []).append(ms)
    _report(samples, phases, document, args, envaudit)
    return 0


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def _report(samples: dict[str, list[float]], phases: dict[str, list[float]],
            document: dict[str, object], args: argparse.Namespace, envaudit: list[str]) -> None:
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floors = [n for n in ("curl (same URL, headers, --cacert)", "python: minimal TLS client")
              if n in medians]
    print("# envaudit probe against a local HTTPS double\n")
    print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"{args.repeat} timed runs after {args.warmup} warm-up; envaudit started as "
          f"`{' '.join(Path(a).name for a in envaudit)}`\n")
    print("| command | median | quartiles | " + " | ".join(f"ratio to `{f}`" for f in floors)
          + " |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in floors) + " |")
    for name, values in samples.items():
        low, high = _quartiles(values)
        ratios = " | ".join(f"{medians[name] / medians[f]:.2f}" for f in floors)
        print(f"| `{name}` | {medians[name]:.1f} ms | {low:.1f}-{high:.1f} | {ratios} |")
    subject = medians["envaudit probe"]
    verdict = "pass" if subject <= GOAL_MS else "FAIL"
    print(f"\nGoal: `envaudit probe` median <= {GOAL_MS:.0f} ms whole process: "
          f"{subject:.1f} ms, {verdict}")
    print(f"What the probe adds to the same start-up and collection: "
          f"{subject - medians['envaudit scan --select EA802 (no request)']:.1f} ms")
    if phases:
        print("\nInside one probe process (medians):\n")
        print("| phase | median |")
        print("| --- | --- |")
        for key, values in phases.items():
            print(f"| {key} | {statistics.median(values):.1f} ms |")
    stages = document.get("stages")
    if isinstance(stages, list):
        print("\nStages of the checked run: " + ", ".join(
            f"{s['name']} {s['status']}" for s in stages if isinstance(s, dict)))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "goal_ms": GOAL_MS, "medians_ms": medians, "samples_ms": samples,
            "phases_ms": {k: statistics.median(v) for k, v in phases.items()},
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
