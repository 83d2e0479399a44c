#!/usr/bin/env python3
"""Generate deterministic synthetic project trees for the envaudit benchmarks.

Usage::

    python benchmarks/gen_tree.py {small,medium,large} OUTDIR [--seed N] [--force]
                                  [--manifest FILE] [--no-python-link]

The tree is written under OUTDIR and a JSON manifest (file / symlink / directory
counts, bytes, dotenv counts, a content digest, ...) is printed on stdout.  The
same size and seed always give the same paths and contents (the same digest).

A tree contains:

* source files (TypeScript, JavaScript, Python, JSON, Markdown, YAML, CSS, shell,
  Terraform, HTML ...) that read environment variables, ``__pycache__`` folders
  next to Python modules and a few binary assets;
* dotenv files (``.env``, ``.env.local``, ``.env.production``, ``.env.example``,
  ``docker.env``, ``config/app.env`` ...) of 20-60 lines with comments, blank
  lines, ``export``, quoting, inline comments, ``${VAR}`` interpolation,
  multi-line PEM values, occasional lint problems and fake ``ANTHROPIC_API_KEY``
  values in about a third of the non-example files;
* decoys: ``.envrc`` files, dotenv files inside ``node_modules`` packages, a
  virtualenv folder *named* ``.env`` and ``.env`` symlinks to a parent ``.env``
  (the last two in medium / large only);
* virtualenvs (``pyvenv.cfg``, ``bin/python`` symlinks, ``lib64 -> lib``,
  ``site-packages`` with ``NAME-VER.dist-info`` folders, and two ``.egg-info``
  ones when there are more than 20), each with the SDK-relevant distributions
  (anthropic 0.x-2.x with httpx or httpx2, httpcore, python-dotenv, certifi,
  pydantic, requests) at varied, real-looking versions;
* ``node_modules`` folders (``package.json`` files, nested and scoped packages,
  ``.bin`` symlinks, workspace links) in three layouts: npm with its hidden
  lockfile ``.package-lock.json`` (the root and every third app), npm/yarn classic
  without one (``.yarn-integrity``, a ``yarn.lock`` beside), and pnpm (packages in
  ``node_modules/.pnpm/NAME@VER/node_modules/NAME``, reached through symlinks, a
  ``pnpm-lock.yaml`` beside); ``@anthropic-ai/sdk`` and ``dotenv`` are in each,
  at real-looking versions, sometimes with an older nested copy of the SDK;
* a ``.git`` folder with many zlib-compressed loose objects and a pack file.

Approximate sizes: small ~7k files, medium ~23k files, large ~202k files with
1,000 dotenv files outside the folders a scanner should prune; the large tree has
11 virtualenvs holding 1,370 distributions and 11 ``node_modules`` holding 7,143
npm packages.  The manifest lists the virtualenvs and ``node_modules`` folders
(``venvs``, ``node_modules``) with those counts (``python_distributions``,
``npm_packages``).  Only the
standard library is used and nothing touches the network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import string
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable

GENERATOR_VERSION = 3
DEFAULT_SEED = 20240601
PY_VERSION = "3.11"
PRUNED_DIR_NAMES = frozenset({".git", "node_modules", "__pycache__", "site-packages"})

# ---------------------------------------------------------------------------
# presets


@dataclass(frozen=True)
class Preset:
    """Shape parameters of one tree size."""

    monorepo: bool
    workspaces: int
    sources: int
    dotenv_files: int
    envrc_files: int
    venv_dists: tuple[int, ...]
    dotenv_named_venv_dists: int
    dotenv_symlinks: int
    root_npm_packages: int
    app_npm_packages: tuple[int, ...]
    npm_nest_prob: float
    npm_nest_depth: int
    npm_deep_chains: int
    npm_env_decoys: int
    git_objects: int
    git_pack_mib: int
    assets: int


PRESETS: dict[str, Preset] = {
    "small": Preset(
        monorepo=False,
        workspaces=0,
        sources=300,
        dotenv_files=3,
        envrc_files=1,
        venv_dists=(150,),
        dotenv_named_venv_dists=0,
        dotenv_symlinks=0,
        root_npm_packages=300,
        app_npm_packages=(),
        npm_nest_prob=0.04,
        npm_nest_depth=2,
        npm_deep_chains=0,
        npm_env_decoys=2,
        git_objects=250,
        git_pack_mib=2,
        assets=6,
    ),
    "medium": Preset(
        monorepo=True,
        workspaces=25,
        sources=6000,
        dotenv_files=100,
        envrc_files=5,
        venv_dists=(110, 100, 90),
        dotenv_named_venv_dists=15,
        dotenv_symlinks=2,
        root_npm_packages=400,
        app_npm_packages=(90, 70),
        npm_nest_prob=0.10,
        npm_nest_depth=3,
        npm_deep_chains=2,
        npm_env_decoys=6,
        git_objects=3500,
        git_pack_mib=16,
        assets=40,
    ),
    "large": Preset(
        monorepo=True,
        workspaces=200,
        sources=50000,
        dotenv_files=1000,
        envrc_files=20,
        venv_dists=(160, 150, 150, 140, 140, 130, 130, 120, 120, 110),
        dotenv_named_venv_dists=20,
        dotenv_symlinks=10,
        root_npm_packages=4193,
        app_npm_packages=(320, 300, 300, 280, 280, 260, 260, 240, 240, 220),
        npm_nest_prob=0.22,
        npm_nest_depth=8,
        npm_deep_chains=25,
        npm_env_decoys=40,
        git_objects=40000,
        git_pack_mib=48,
        assets=300,
    ),
}

# ---------------------------------------------------------------------------
# vocabularies

WORDS: tuple[str, ...] = tuple(
    """
    amber basalt cinder dapple ermine flint garnet hazel indigo juniper kestrel
    lagoon marble nutmeg oriole pebble quince russet saffron thistle umbra velvet
    walnut xylem yonder zircon aster birch clover dahlia elm fern gorse heather
    ivy jasmine larch maple nettle oak poppy rowan sorrel tansy vetch yew arbor
    bramble coral delta estuary fathom grotto hollow isle jungle keel lichen moor
    nook oasis prairie quay rapids strait tor upland vale weir atoll bluff crag
    dell fen glen heath knoll ledge mesa orchard pond ravine spire terrace wold
    billing checkout catalog orders accounts identity gateway invoices stock alerts
    reports uploads payments shipping pricing ratings backoffice portal metrics
    """.split()
)

APP_SUFFIXES = (
    "web",
    "api",
    "worker",
    "admin",
    "docs",
    "bff",
    "cron",
    "ingest",
    "search",
    "console",
    "jobs",
    "edge",
)

PY_DIST_POOL: tuple[str, ...] = tuple(
    """
    anthropic httpx httpcore h11 anyio sniffio idna certifi distro jiter pydantic
    pydantic_core annotated-types typing_extensions python-dotenv requests urllib3
    charset-normalizer click rich Pygments markdown-it-py mdurl packaging six attrs
    PyYAML numpy pandas python-dateutil pytz tzdata Flask Werkzeug Jinja2 MarkupSafe
    itsdangerous blinker Django asgiref sqlparse SQLAlchemy greenlet alembic Mako
    psycopg2-binary psycopg fastapi starlette uvicorn uvloop httptools watchfiles
    websockets boto3 botocore s3transfer jmespath cryptography cffi pycparser PyJWT
    bcrypt PyNaCl paramiko redis celery kombu billiard vine amqp pytest pluggy
    iniconfig coverage pytest-cov pytest-asyncio mypy mypy-extensions black isort
    ruff tomli tomlkit filelock platformdirs virtualenv distlib pyparsing wrapt
    Deprecated more-itertools zipp importlib-metadata colorama tqdm tenacity
    aiohttp aiosignal frozenlist multidict yarl propcache gunicorn psutil
    sentry-sdk structlog orjson ujson msgpack lxml beautifulsoup4 soupsieve
    docutils Babel marshmallow email-validator dnspython python-multipart stripe
    slack_sdk protobuf grpcio google-auth cachetools rsa pyasn1 pyasn1_modules
    oauthlib requests-oauthlib openai tiktoken regex tokenizers huggingface-hub
    fsspec networkx sympy mpmath pillow scipy joblib threadpoolctl scikit-learn
    typer shellingham pathspec hatchling editables build pyproject_hooks
    pre-commit cfgv identify nodeenv types-requests types-PyYAML
    """.split()
)

NPM_POOL: tuple[str, ...] = tuple(
    """
    @anthropic-ai/sdk dotenv dotenv-expand react react-dom scheduler next @next/env
    @swc/helpers styled-jsx postcss nanoid picocolors source-map-js caniuse-lite
    typescript @types/node @types/react @types/react-dom csstype undici-types
    express body-parser cookie debug ms depd destroy encodeurl escape-html etag
    finalhandler fresh http-errors merge-descriptors methods on-finished parseurl
    path-to-regexp proxy-addr qs range-parser safe-buffer send serve-static
    setprototypeof statuses type-is utils-merge vary accepts content-type
    cookie-signature iconv-lite safer-buffer raw-body bytes unpipe mime mime-types
    mime-db negotiator lodash axios follow-redirects form-data asynckit
    combined-stream delayed-stream proxy-from-env chalk ansi-styles supports-color
    has-flag color-convert color-name commander yargs yargs-parser cliui y18n
    escalade get-caller-file string-width strip-ansi ansi-regex emoji-regex
    wrap-ansi eslint @eslint/js @eslint/eslintrc espree acorn acorn-jsx
    eslint-visitor-keys eslint-scope esrecurse estraverse esutils esquery ajv
    fast-deep-equal json-schema-traverse uri-js punycode minimatch brace-expansion
    balanced-match glob inflight inherits once wrappy rimraf semver lru-cache
    yallist prettier jest @jest/core @jest/types jest-util @babel/core
    @babel/parser @babel/types @babel/traverse @babel/generator @babel/template
    @babel/code-frame @babel/runtime regenerator-runtime core-js tslib rxjs zod
    uuid date-fns dayjs clsx tailwindcss autoprefixer browserslist
    electron-to-chromium node-releases vite esbuild rollup @rollup/rollup-linux-x64-gnu
    webpack terser source-map chokidar anymatch picomatch readdirp normalize-path
    glob-parent is-glob is-extglob braces fill-range to-regex-range is-number
    micromatch fast-glob merge2 @nodelib/fs.stat @nodelib/fs.walk
    @nodelib/fs.scandir run-parallel queue-microtask reusify fastq cross-spawn
    path-key shebang-command shebang-regex which isexe execa get-stream
    signal-exit human-signals mimic-fn onetime npm-run-path is-stream ws pg
    pg-pool pg-protocol pg-types ioredis jsonwebtoken jws jwa bcryptjs cors helmet
    morgan winston pino pino-pretty openai @aws-sdk/client-s3 @smithy/types stripe
    @sentry/node @sentry/core @prisma/client prisma graphql nodemon ts-node
    cross-env concurrently husky lint-staged @typescript-eslint/parser
    @typescript-eslint/eslint-plugin @testing-library/react jsdom whatwg-url tr46
    webidl-conversions entities domhandler domutils htmlparser2 yaml jiti
    object-assign prop-types react-is immer redux @reduxjs/toolkit reselect
    zustand @tanstack/react-query swr framer-motion @radix-ui/react-slot
    tailwind-merge sharp detect-libc node-fetch cross-fetch eventemitter3 events
    buffer base64-js ieee754 string_decoder readable-stream util-deprecate
    """.split()
)

#: Real-looking versions of the packages envaudit's SDK inventory reads (a separate random
#: stream picks them, so the rest of a tree does not depend on them).
PY_SDK_VERSIONS: dict[str, tuple[str, ...]] = {
    "anthropic": (
        "0.34.2",
        "0.39.0",
        "0.40.0",
        "0.49.0",
        "0.57.1",
        "0.75.0",
        "1.2.0",
        "1.17.0",
        "2.10.0",
        "2.16.0",
        "2.17.0",
    ),
    "httpx": ("0.27.0", "0.27.2", "0.28.1"),
    "httpx2": ("2.16.0", "2.16.2", "2.17.0"),
    "httpcore": ("1.0.5", "1.0.7", "1.0.9"),
    "python-dotenv": ("0.21.1", "1.0.0", "1.0.1", "1.1.0", "1.1.1", "1.2.1"),
    "certifi": ("2024.2.2", "2024.8.30", "2025.1.31", "2025.8.3"),
    "pydantic": ("1.10.18", "2.7.4", "2.9.2", "2.10.6", "2.11.7"),
    "requests": ("2.31.0", "2.32.3", "2.32.5"),
}
NPM_SDK_VERSIONS: dict[str, tuple[str, ...]] = {
    "@anthropic-ai/sdk": (
        "0.24.3",
        "0.27.3",
        "0.32.1",
        "0.39.0",
        "0.52.0",
        "0.65.0",
        "1.0.0",
        "1.4.2",
    ),
    "dotenv": ("8.6.0", "10.0.0", "16.0.3", "16.3.1", "16.4.5", "16.4.7", "17.2.1"),
    "dotenv-expand": ("10.0.0", "11.0.6", "12.0.1"),
    "next": ("13.5.6", "14.2.15", "15.1.6"),
    "vite": ("4.5.3", "5.4.11", "6.0.7"),
    "undici": ("5.28.4", "6.21.0", "7.3.0"),
}
#: Every project's node_modules holds these (added when the random draw left one out).
NPM_ALWAYS = ("@anthropic-ai/sdk", "dotenv")
#: node_modules layouts: npm 7+ with its hidden lockfile, npm/yarn classic without, pnpm.
NPM_LAYOUTS = ("npm", "yarn", "pnpm")

ALNUM = string.ascii_letters + string.digits
KEY_CHARS = ALNUM + "-_"
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
MINIFIED_CHARS = ALNUM + "(){};,.=+!&|?:[]"

# ---------------------------------------------------------------------------
# helpers


def rng_for(seed: int, *parts: object) -> random.Random:
    """An independent deterministic RNG for one component of the tree."""
    return random.Random(":".join([str(seed), *(str(p) for p in parts)]))


def rand_str(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    """``n`` random characters from ``alphabet``."""
    return "".join(rng.choices(alphabet, k=n))


def version_str(rng: random.Random) -> str:
    """A plausible semantic version."""
    major = rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 7, 11))
    return f"{major}.{rng.randint(0, 28)}.{rng.randint(0, 19)}"


def two_words(rng: random.Random, sep: str = "-") -> str:
    """Two random words joined by ``sep``."""
    return f"{rng.choice(WORDS)}{sep}{rng.choice(WORDS)}"


def is_dotenv_name(name: str) -> bool:
    """True if ``name`` matches ``.env``, ``.env.*`` or ``*.env`` (as find -name does)."""
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def unique_name(
    rng: random.Random, pool: tuple[str, ...], used: set[str], synthetic: Callable[[], str]
) -> str:
    """A name from ``pool`` not in ``used`` (or a synthetic one), recorded in ``used``."""
    for _ in range(5):
        name = rng.choice(pool)
        if name not in used:
            used.add(name)
            return name
    while True:
        name = synthetic()
        if name not in used:
            used.add(name)
            return name


class Filler:
    """Pre-generated random text sliced into file bodies (much faster than per-char RNG)."""

    def __init__(self, rng: random.Random) -> None:
        self.prose = " ".join(rng.choices(WORDS, k=60_000))
        self.minified = "".join(rng.choices(MINIFIED_CHARS, k=1 << 18))
        self.mappings = "".join(rng.choices(ALNUM + ";,", k=1 << 16))

    @staticmethod
    def _slice(rng: random.Random, text: str, n: int) -> str:
        n = max(1, min(n, len(text)))
        start = rng.randrange(len(text) - n + 1)
        return text[start : start + n]

    def prose_text(self, rng: random.Random, n: int) -> str:
        """About ``n`` characters of words."""
        return self._slice(rng, self.prose, n)

    def minified_text(self, rng: random.Random, n: int) -> str:
        """``n`` characters that look like minified JavaScript."""
        return self._slice(rng, self.minified, n)

    def mapping_text(self, rng: random.Random, n: int) -> str:
        """``n`` characters that look like a source-map ``mappings`` field."""
        return self._slice(rng, self.mappings, n)


# ---------------------------------------------------------------------------
# the writer


class TreeWriter:
    """Creates files and symlinks under ``root`` and keeps statistics plus a digest."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._dirs: set[str] = {""}
        self._venv_roots: list[str] = []
        self.files = 0
        self.symlinks = 0
        self.bytes = 0
        self.dotenv_visible = 0
        self.dotenv_pruned = 0
        self.dotenv_with_key = 0
        self.kinds: dict[str, int] = {}
        self.venvs: list[dict[str, object]] = []
        self.node_modules: list[dict[str, object]] = []
        self._hash = hashlib.blake2b(digest_size=32)

    @property
    def dirs(self) -> int:
        """Directories created (the root excluded)."""
        return len(self._dirs) - 1

    def count(self, kind: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``kind``."""
        self.kinds[kind] = self.kinds.get(kind, 0) + n

    def mkdir(self, rel: str) -> None:
        """Create directory ``rel`` (and its parents) if needed."""
        if rel in self._dirs:
            return
        parent = rel.rpartition("/")[0]
        if parent not in self._dirs:
            self.mkdir(parent)
        os.mkdir(os.path.join(self.root, rel))
        self._dirs.add(rel)
        self._hash.update(f"D {rel}\n".encode())

    def mark_venv(self, rel: str) -> None:
        """Record that ``rel`` is a virtualenv root (pruned by a scanner)."""
        self._venv_roots.append(rel + "/")

    def exists(self, rel: str) -> bool:
        """True when ``rel`` is a directory made by this writer."""
        return rel in self._dirs

    def _pruned(self, rel: str) -> bool:
        parts = rel.split("/")[:-1]
        if any(p in PRUNED_DIR_NAMES for p in parts):
            return True
        return any(rel.startswith(v) for v in self._venv_roots)

    def write(self, rel: str, data: str | bytes, kind: str) -> None:
        """Write a regular file ``rel`` counted under ``kind``."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        parent, _, name = rel.rpartition("/")
        if parent not in self._dirs:
            self.mkdir(parent)
        with open(os.path.join(self.root, rel), "wb") as fh:
            fh.write(raw)
        self.files += 1
        self.bytes += len(raw)
        self.count(kind)
        self._hash.update(f"F {rel} {len(raw)}\n".encode())
        self._hash.update(raw)
        if is_dotenv_name(name):
            if self._pruned(rel):
                self.dotenv_pruned += 1
            else:
                self.dotenv_visible += 1

    def symlink(self, target: str, rel: str, kind: str, digest_target: bool = True) -> None:
        """Create symlink ``rel`` -> ``target``."""
        parent = rel.rpartition("/")[0]
        if parent not in self._dirs:
            self.mkdir(parent)
        os.symlink(target, os.path.join(self.root, rel))
        self.symlinks += 1
        self.count(kind)
        shown = target if digest_target else "<interpreter>"
        self._hash.update(f"L {rel} {shown}\n".encode())

    def hexdigest(self) -> str:
        """Digest of every path, link target and file content written so far."""
        return self._hash.hexdigest()


# ---------------------------------------------------------------------------
# dotenv files

ValueMaker = Callable[[random.Random, str], str]


def _pem(rng: random.Random, _app: str) -> str:
    body = base64.b64encode(rng.randbytes(rng.choice((162, 228, 312)))).decode()
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(rows) + "\n-----END PRIVATE KEY-----"


def fake_anthropic_key(rng: random.Random) -> str:
    """A fake key shaped like ``sk-ant-api03-`` + 93 chars of [A-Za-z0-9_-] + ``AA``."""
    return "sk-ant-api03-" + rand_str(rng, 93, KEY_CHARS) + "AA"


VALUE_MAKERS: dict[str, ValueMaker] = {
    "env": lambda r, a: r.choice(("development", "production", "staging", "test")),
    "name": lambda r, a: f"{a.replace('-', '_')}_{r.choice(WORDS)}",
    "port": lambda r, a: str(r.choice((3000, 3001, 4000, 5000, 5173, 8000, 8080, 9000))),
    "pgport": lambda r, a: "5432",
    "smtpport": lambda r, a: r.choice(("25", "465", "587", "2525")),
    "host": lambda r, a: r.choice(
        (
            "localhost",
            "127.0.0.1",
            "0.0.0.0",
            "db",
            "cache",
            f"{r.choice(WORDS)}.internal.example.com",
        )
    ),
    "loglevel": lambda r, a: r.choice(("debug", "info", "warning", "error", "INFO")),
    "bool": lambda r, a: r.choice(("true", "false", "1", "0", "yes", "True")),
    "tz": lambda r, a: r.choice(("UTC", "Europe/Paris", "America/Chicago", "Asia/Tokyo")),
    "int": lambda r, a: str(r.choice((1, 2, 4, 5, 10, 16, 30, 60, 120, 500, 3600, 86400))),
    "float": lambda r, a: r.choice(("0", "0.1", "0.5", "0.7", "1.0")),
    "url": lambda r, a: (
        f"https://{r.choice(WORDS)}.{a}.example.com/" + r.choice(("", "api", "v1", "v2/graphql"))
    ),
    "urls": lambda r, a: ",".join(
        f"https://{w}.example.com" for w in r.sample(WORDS, r.randint(1, 4))
    ),
    "list": lambda r, a: ",".join(r.sample(WORDS, r.randint(1, 5))),
    "duration": lambda r, a: r.choice(("30s", "15m", "1h", "12h", "7d")),
    "password": lambda r, a: rand_str(r, r.randint(12, 30), ALNUM + "!@#%^*-_"),
    "hex64": lambda r, a: rand_str(r, 64, HEX),
    "hex32": lambda r, a: rand_str(r, 32, HEX),
    "b64": lambda r, a: base64.b64encode(r.randbytes(33)).decode(),
    "dburl": lambda r, a: (
        f"postgresql://{r.choice(WORDS)}:{rand_str(r, 18)}"
        f"@{a}-db.example.com:5432/{a.replace('-', '_')}"
    ),
    "dburl_interp": lambda r, a: (
        "postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT:-5432}/${DB_NAME}"
    ),
    "mongourl": lambda r, a: (
        f"mongodb+srv://{r.choice(WORDS)}:{rand_str(r, 16)}"
        f"@cluster0.{rand_str(r, 5, HEX)}.mongo.example.net/{a}"
    ),
    "redisurl": lambda r, a: r.choice(
        (
            "redis://localhost:6379/0",
            "redis://cache:6379/2",
            f"rediss://:{rand_str(r, 20)}@redis.example.com:6380",
        )
    ),
    "redis_interp": lambda r, a: "${REDIS_URL}",
    "base_interp": lambda r, a: "${BASE_URL}/" + r.choice(("callback", "hooks", "api")),
    "brokers": lambda r, a: ",".join(f"kafka-{i}.example.com:9092" for i in range(r.randint(1, 3))),
    "amqpurl": lambda r, a: f"amqp://{r.choice(WORDS)}:{rand_str(r, 14)}@mq.example.com/{a}",
    "gclient": lambda r, a: (
        f"{r.randint(10**11, 10**12 - 1)}-{rand_str(r, 32, HEX)}.apps.googleusercontent.com"
    ),
    "gsecret": lambda r, a: "GOCSPX-" + rand_str(r, 28, KEY_CHARS),
    "anthropic": lambda r, a: fake_anthropic_key(r),
    "anthropic_url": lambda r, a: r.choice(
        ("https://llm-gateway.example.com", "http://localhost:4010")
    ),
    "model": lambda r, a: r.choice(
        ("claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-haiku-latest", "claude-haiku-4-5")
    ),
    "openai": lambda r, a: "sk-proj-" + rand_str(r, 48, KEY_CHARS),
    "orgid": lambda r, a: "org-" + rand_str(r, 24),
    "aws_id": lambda r, a: "AKIA" + rand_str(r, 16, UPPER_DIGITS),
    "aws_secret": lambda r, a: rand_str(r, 40, ALNUM + "/+"),
    "region": lambda r, a: r.choice(("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")),
    "bucket": lambda r, a: f"{a}-{r.choice(WORDS)}-uploads",
    "stripe_sk": lambda r, a: r.choice(("sk_test_", "sk_test_", "sk_live_")) + rand_str(r, 24),
    "stripe_pk": lambda r, a: "pk_test_" + rand_str(r, 24),
    "stripe_wh": lambda r, a: "whsec_" + rand_str(r, 32),
    "currency": lambda r, a: r.choice(("usd", "eur", "gbp", "jpy")),
    "sentry": lambda r, a: (
        f"https://{rand_str(r, 32, HEX)}@o{r.randint(10**5, 10**6)}"
        f".ingest.sentry.example.io/{r.randint(10**6, 10**7)}"
    ),
    "email": lambda r, a: f"{r.choice(WORDS)}@{a}.example.com",
    "email_named": lambda r, a: f"{a.title()} Team <noreply@{a}.example.com>",
    "github": lambda r, a: "ghp_" + rand_str(r, 36),
    "slack": lambda r, a: (
        "https://hooks.slack.example.com/services/"
        f"T{rand_str(r, 8, UPPER_DIGITS)}/B{rand_str(r, 10, UPPER_DIGITS)}"
        f"/{rand_str(r, 24)}"
    ),
    "pem": _pem,
}

ENV_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Application": (
        ("NODE_ENV", "env"),
        ("APP_ENV", "env"),
        ("APP_NAME", "name"),
        ("PORT", "port"),
        ("HOST", "host"),
        ("LOG_LEVEL", "loglevel"),
        ("DEBUG", "bool"),
        ("TZ", "tz"),
        ("WEB_CONCURRENCY", "int"),
        ("BASE_URL", "url"),
        ("REQUEST_TIMEOUT", "int"),
        ("FEATURE_FLAGS", "list"),
        ("CALLBACK_URL", "base_interp"),
    ),
    "Database": (
        ("DATABASE_URL", "dburl"),
        ("DB_HOST", "host"),
        ("DB_PORT", "pgport"),
        ("DB_USER", "name"),
        ("DB_PASSWORD", "password"),
        ("DB_NAME", "name"),
        ("DB_POOL_MAX", "int"),
        ("DATABASE_READ_URL", "dburl_interp"),
        ("MONGO_URI", "mongourl"),
    ),
    "Queues and cache": (
        ("REDIS_URL", "redisurl"),
        ("CACHE_TTL_SECONDS", "int"),
        ("CELERY_BROKER_URL", "redis_interp"),
        ("KAFKA_BROKERS", "brokers"),
        ("AMQP_URL", "amqpurl"),
    ),
    "Security": (
        ("SECRET_KEY", "hex64"),
        ("JWT_SECRET", "b64"),
        ("JWT_TTL", "duration"),
        ("SESSION_SECRET", "hex32"),
        ("OAUTH_CLIENT_ID", "gclient"),
        ("OAUTH_CLIENT_SECRET", "gsecret"),
        ("ALLOWED_HOSTS", "list"),
        ("CORS_ALLOWED_ORIGINS", "urls"),
        ("SIGNING_KEY", "pem"),
    ),
    "LLM": (
        ("ANTHROPIC_API_KEY", "anthropic"),
        ("ANTHROPIC_BASE_URL", "anthropic_url"),
        ("ANTHROPIC_MODEL", "model"),
        ("OPENAI_API_KEY", "openai"),
        ("OPENAI_ORGANIZATION", "orgid"),
        ("MAX_OUTPUT_TOKENS", "int"),
        ("SAMPLING_TEMPERATURE", "float"),
    ),
    "AWS": (
        ("AWS_ACCESS_KEY_ID", "aws_id"),
        ("AWS_SECRET_ACCESS_KEY", "aws_secret"),
        ("AWS_DEFAULT_REGION", "region"),
        ("UPLOADS_BUCKET", "bucket"),
        ("CDN_URL", "url"),
    ),
    "Payments": (
        ("STRIPE_SECRET_KEY", "stripe_sk"),
        ("STRIPE_PUBLIC_KEY", "stripe_pk"),
        ("STRIPE_WEBHOOK_SECRET", "stripe_wh"),
        ("DEFAULT_CURRENCY", "currency"),
    ),
    "Monitoring": (
        ("SENTRY_DSN", "sentry"),
        ("DD_API_KEY", "hex32"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "url"),
        ("METRICS_ENABLED", "bool"),
    ),
    "Email": (
        ("SMTP_HOST", "host"),
        ("SMTP_PORT", "smtpport"),
        ("SMTP_USERNAME", "email"),
        ("SMTP_PASSWORD", "password"),
        ("EMAIL_FROM", "email_named"),
    ),
    "Third parties": (
        ("GITHUB_TOKEN", "github"),
        ("SLACK_WEBHOOK_URL", "slack"),
        ("TWILIO_AUTH_TOKEN", "hex32"),
        ("SEARCH_URL", "url"),
    ),
    "Frontend": (
        ("NEXT_PUBLIC_API_URL", "url"),
        ("NEXT_PUBLIC_APP_URL", "url"),
        ("VITE_API_URL", "url"),
        ("PUBLIC_ANALYTICS_ID", "orgid"),
        ("NEXT_TELEMETRY_DISABLED", "bool"),
    ),
}
ENV_KEYS: tuple[str, ...] = tuple(k for keys in ENV_SECTIONS.values() for k, _ in keys)
SECRET_KINDS = frozenset(
    {
        "password",
        "hex64",
        "hex32",
        "b64",
        "dburl",
        "mongourl",
        "amqpurl",
        "gsecret",
        "anthropic",
        "openai",
        "aws_id",
        "aws_secret",
        "stripe_sk",
        "stripe_wh",
        "github",
        "slack",
        "pem",
    }
)
PLACEHOLDERS = ("", "", "", "changeme", "replace-me", "<your-key>", "xxxxxxxx", "TODO")
INLINE_COMMENTS = ("required", "optional", "see README", "per environment", "rotate yearly")
FLAVOUR_TITLES = {
    "example": "Example",
    "prod": "Production",
    "test": "Test",
    "dev": "Development",
    "local": "Local overrides",
    "other": "Shared",
}


def dotenv_flavour(name: str) -> str:
    """The kind of dotenv file a name suggests (example, prod, test, dev, local, other)."""
    if "example" in name or "sample" in name:
        return "example"
    for marker, flavour in (
        ("prod", "prod"),
        ("test", "test"),
        ("develop", "dev"),
        ("local", "local"),
    ):
        if marker in name:
            return flavour
    return "other"


def _render_assignment(rng: random.Random, key: str, kind: str, value: str) -> str:
    if kind == "pem" or " " in value or "<" in value:
        return f'{key}="{value}"'
    style = rng.random()
    if style < 0.10:
        return f"export {key}={value}"
    if style < 0.26:
        return f'{key}="{value}"'
    if style < 0.34:
        return f"{key}='{value}'"
    if style < 0.37:
        return f"{key} = {value}"  # lint: spaces around '='
    if style < 0.46:
        return f"{key}={value}  # {rng.choice(INLINE_COMMENTS)}"
    return f"{key}={value}"


def dotenv_text(rng: random.Random, app: str, flavour: str, with_key: bool) -> str:
    """A dotenv file of 20-60 lines; ``with_key`` puts a fake ANTHROPIC_API_KEY in it."""
    example = flavour == "example"
    wanted = rng.randint(20, 60)
    lines: list[str] = []
    if rng.random() < 0.75:
        lines.append(f"# {FLAVOUR_TITLES[flavour]} settings for {app}")
        if example:
            lines.append("# Copy this file to .env and fill in real values.")
        elif rng.random() < 0.4:
            lines.append("# Never commit this file.")
        lines.append("")
    sections = list(ENV_SECTIONS)
    rng.shuffle(sections)
    if with_key:
        sections.remove("LLM")
        sections.insert(rng.randint(0, 2), "LLM")
    keys_written: list[str] = []
    for section in sections:
        if len(lines) >= wanted:
            break
        chosen = [
            kv
            for kv in ENV_SECTIONS[section]
            if kv[0] != "ANTHROPIC_API_KEY" and rng.random() < 0.6
        ]
        if section == "LLM" and (with_key or (example and rng.random() < 0.5)):
            chosen.insert(0, ("ANTHROPIC_API_KEY", "anthropic"))
        if not chosen:
            continue
        header = rng.random()
        if header < 0.45:
            lines.append(f"# ---- {section} ----")
        elif header < 0.75:
            lines.append(f"# {section}")
        for key, kind in chosen:
            if kind == "pem" and (example or rng.random() < 0.7):
                continue
            if example and (kind in SECRET_KINDS or rng.random() < 0.25):
                value = rng.choice(PLACEHOLDERS)
            else:
                value = VALUE_MAKERS[kind](rng, app)
            shown_key = key.lower() if rng.random() < 0.03 else key  # lint: lower-case key
            line = _render_assignment(rng, shown_key, kind, value)
            if rng.random() < 0.03:
                line += " \t"  # lint: trailing whitespace
            if not example and kind != "pem" and rng.random() < 0.04:
                lines.append(f"# {key}={VALUE_MAKERS[kind](rng, app)}")  # an old value
            lines.append(line)
            keys_written.append(key)
        if rng.random() < 0.65:
            lines.append("")
    while len(lines) < 20:
        flag = rng.choice(("on", "off"))
        lines.append(f"FEATURE_{rng.choice(WORDS).upper()}_{len(lines)}={flag}")
    lines = lines[:60]
    if keys_written and rng.random() < 0.12:
        lines.append(f"{rng.choice(keys_written)}={rng.choice(WORDS)}")  # lint: duplicate key
    newline = "\r\n" if rng.random() < 0.03 else "\n"  # lint: CRLF
    text = newline.join(line.replace("\n", newline) for line in lines)
    if rng.random() >= 0.08:  # lint: no final newline otherwise
        text += newline
    return text


def envrc_text(rng: random.Random) -> str:
    """A direnv ``.envrc`` (a decoy: it is shell, not dotenv)."""
    lines = [
        "# direnv configuration",
        "source_up_if_exists",
        "dotenv_if_exists .env.local",
        f"export PROJECT_NAME={rng.choice(WORDS)}",
        "PATH_add scripts",
    ]
    if rng.random() < 0.5:
        lines.append("layout python3")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# source files

PY_SNIPPETS = (
    "    {v} = os.environ.get({k!r}, {w!r})",
    "    {v} = os.getenv({k!r})\n    if {v} is None:\n        raise KeyError({k!r})",
    "    {v} = int(os.environ.get({k!r}, '10'))",
    "    log.debug('using %s', {k!r})",
    "    rows = [row for row in payload if row.get({w!r})]",
    "    for name, item in sorted(options.items()):\n        count += len(str(item))",
    "    {v} = settings.{kl}",
    "    with open(path, encoding='utf-8') as handle:\n        payload = json.load(handle)",
    "    # FIXME: {w} should be configurable",
    "    count += len(rows) if rows else 0",
)
JS_SNIPPETS = (
    "  const {v} = process.env.{k} ?? '{w}';",
    "  if (!process.env.{k}) {{\n    throw new Error('missing {k}');\n  }}",
    "  const {v} = Number(process.env.{k} || 10);",
    "  const response = await fetch(`${{baseUrl}}/{w}`);",
    "  const ids = rows.filter(Boolean).map((row) => row.id);",
    "  log.info('{w}', {{ size: ids.length }});",
    "  // TODO: cache {w}",
    "  const {{ {kl} }} = config;",
    "  count += Object.keys(options).length;",
)


def _fmt(rng: random.Random, template: str) -> str:
    key = rng.choice(ENV_KEYS)
    return template.format(
        k=key, kl=key.lower(), w=rng.choice(WORDS), v=f"{rng.choice(WORDS)}_value"
    )


def python_source(rng: random.Random, nlines: int) -> str:
    """A Python module of about ``nlines`` lines reading environment variables."""
    out = [
        f'"""{rng.choice(WORDS).title()} helpers."""',
        "import json",
        "import logging",
        "import os",
        "",
        "from .config import settings",
        "",
        "log = logging.getLogger(__name__)",
    ]
    while len(out) < nlines:
        out += [
            "",
            "",
            f"def {two_words(rng, '_')}(payload, options, path=''):",
            f'    """Handle {rng.choice(WORDS)} {rng.choice(WORDS)}."""',
            "    count = 0",
        ]
        out += [_fmt(rng, rng.choice(PY_SNIPPETS)) for _ in range(rng.randint(3, 9))]
        out.append("    return count")
    return "\n".join(out) + "\n"


def js_source(rng: random.Random, nlines: int, typed: bool) -> str:
    """A JavaScript / TypeScript module of about ``nlines`` lines using process.env."""
    out = [
        f"import {{ {rng.choice(WORDS)} }} from './{rng.choice(WORDS)}';",
        "import { log } from '../lib/log';",
        "import config from '../config';",
        "",
    ]
    params = (
        "(rows: unknown[], options: Record<string, unknown> = {})"
        if typed
        else "(rows, options = {})"
    )
    while len(out) < nlines:
        name = rng.choice(WORDS) + rng.choice(WORDS).title()
        out += [f"export async function {name}{params} {{", "  let count = 0;"]
        out += [_fmt(rng, rng.choice(JS_SNIPPETS)) for _ in range(rng.randint(3, 9))]
        out += ["  return count;", "}", ""]
    return "\n".join(out) + "\n"


def other_source(rng: random.Random, fill: Filler, ext: str, app: str) -> str:
    """A non-code project file (docs, config, styles ...)."""
    if ext == ".md":
        para = fill.prose_text(rng, rng.randint(200, 3000))
        return (
            f"# {app} {rng.choice(WORDS)}\n\n{para}\n\nSet `{rng.choice(ENV_KEYS)}` "
            f"in your `.env` file.\n"
        )
    if ext == ".json":
        obj = {
            w: rng.choice((rng.randint(0, 999), rng.choice(WORDS), True, None))
            for w in rng.sample(WORDS, rng.randint(3, 14))
        }
        return json.dumps(obj, indent=2) + "\n"
    if ext == ".css":
        return "".join(
            f".{two_words(rng)} {{\n  padding: {rng.randint(0, 24)}px;\n"
            f"  color: #{rand_str(rng, 6, HEX)};\n}}\n"
            for _ in range(rng.randint(3, 25))
        )
    if ext == ".yml":
        rows = [
            f"  {rng.choice(WORDS)}: ${{{rng.choice(ENV_KEYS)}}}"
            if rng.random() < 0.3
            else f"  {rng.choice(WORDS)}: {rng.choice(WORDS)}"
            for _ in range(rng.randint(4, 28))
        ]
        return f"{rng.choice(WORDS)}:\n" + "\n".join(rows) + "\n"
    if ext == ".sh":
        return "#!/bin/sh\nset -eu\n" + "".join(
            f'echo "{rng.choice(WORDS)}: ${{{rng.choice(ENV_KEYS)}:-unset}}"\n'
            for _ in range(rng.randint(3, 18))
        )
    if ext == ".tf":
        return "".join(
            f'variable "{rng.choice(WORDS)}" {{\n  type = string\n'
            f'  default = "{rng.choice(WORDS)}"\n}}\n\n'
            for _ in range(rng.randint(2, 10))
        )
    if ext == ".html":
        return (
            f"<!doctype html>\n<html><head><title>{app}</title></head><body>\n<p>"
            f"{fill.prose_text(rng, rng.randint(100, 2000))}</p>\n</body></html>\n"
        )
    return fill.prose_text(rng, rng.randint(50, 1500)) + "\n"


JS_EXT_WEIGHTS = (
    (".ts", 30),
    (".tsx", 20),
    (".js", 12),
    (".json", 6),
    (".md", 5),
    (".css", 6),
    (".yml", 3),
    (".html", 2),
    (".sh", 1),
    (".txt", 1),
)
PY_EXT_WEIGHTS = (
    (".py", 70),
    (".md", 6),
    (".yml", 6),
    (".json", 5),
    (".txt", 4),
    (".sh", 3),
    (".html", 3),
    (".tf", 3),
)
JS_FOLDERS = (
    "src",
    "src/components",
    "src/components/ui",
    "src/lib",
    "src/hooks",
    "src/routes",
    "src/api",
    "src/utils",
    "src/styles",
    "src/features/{f}",
    "src/features/{f}/components",
    "test",
    "scripts",
    "docs",
)
PY_FOLDERS = (
    "{p}",
    "{p}/api",
    "{p}/models",
    "{p}/services",
    "{p}/core",
    "{p}/utils",
    "{p}/tasks",
    "{p}/db/migrations",
    "tests",
    "tests/unit",
    "tests/integration",
    "scripts",
    "docs",
    "deploy",
)


def pyc_bytes(rng: random.Random, n: int) -> bytes:
    """Bytes shaped like a CPython 3.11 .pyc file."""
    return b"\xa7\r\r\n" + bytes(12) + rng.randbytes(n)


def make_sources(
    w: TreeWriter,
    rng: random.Random,
    fill: Filler,
    base: str,
    app: str,
    nfiles: int,
    lang: str,
    extra_depth: int,
) -> None:
    """``nfiles`` source files under ``base`` (lang is "py" or "js")."""
    pkg = app.replace("-", "_")
    if lang == "py":
        folders = [f.format(p=pkg) for f in PY_FOLDERS]
        exts, weights = zip(*PY_EXT_WEIGHTS)
    else:
        features = rng.sample(WORDS, 4)
        folders = [f.format(f=rng.choice(features)) for f in JS_FOLDERS]
        exts, weights = zip(*JS_EXT_WEIGHTS)
    folders = list(dict.fromkeys(folders))
    target = max(len(folders), nfiles // 8)
    max_slashes = 2 + extra_depth
    while len(folders) < target:
        parent = rng.choice(folders)
        if parent.count("/") < max_slashes:
            child = f"{parent}/{rng.choice(WORDS)}"
            if child not in folders:
                folders.append(child)
    folders.sort()
    compiled: list[tuple[str, str]] = []
    chosen_exts = rng.choices(exts, weights=weights, k=nfiles)
    for i, ext in enumerate(chosen_exts):
        folder = rng.choice(folders)
        stem = f"{two_words(rng, '_')}_{i}"
        nlines = min(1500, int(rng.lognormvariate(4.0, 0.8)) + 5)
        if ext == ".py":
            text = python_source(rng, nlines)
            if rng.random() < 0.6:
                compiled.append((folder, stem))
        elif ext in (".ts", ".tsx", ".js"):
            text = js_source(rng, nlines, ext != ".js")
        else:
            text = other_source(rng, fill, ext, app)
        w.write(f"{base}/{folder}/{stem}{ext}", text, "source")
    for folder, stem in compiled:
        w.write(
            f"{base}/{folder}/__pycache__/{stem}.cpython-311.pyc",
            pyc_bytes(rng, rng.randint(300, 6000)),
            "pycache",
        )


ASSET_MAGIC = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff\xe0",
    ".woff2": b"wOF2",
    ".ico": b"\x00\x00\x01\x00",
}


def make_assets(w: TreeWriter, rng: random.Random, base: str, n: int) -> None:
    """``n`` binary (and a few SVG) assets under ``base/public``."""
    for i in range(n):
        ext = rng.choice((".png", ".jpg", ".woff2", ".ico", ".svg"))
        if ext == ".svg":
            pts = " ".join(str(rng.randint(0, 24)) for _ in range(4))
            data = f'<svg xmlns="http://www.w3.org/2000/svg"><path d="M{pts}"/></svg>\n'.encode()
        else:
            size = min(300_000, int(rng.lognormvariate(9.0, 1.0))) + 128
            data = ASSET_MAGIC[ext] + rng.randbytes(size)
        w.write(f"{base}/public/{rng.choice(WORDS)}-{i}{ext}", data, "asset")


# ---------------------------------------------------------------------------
# virtualenvs


def metadata_text(rng: random.Random, fill: Filler, name: str, version: str) -> str:
    """A METADATA / PKG-INFO file with a long description of 0.3-40 KB."""
    requires = "".join(
        f"Requires-Dist: {rng.choice(PY_DIST_POOL)}>={version_str(rng)}\n"
        for _ in range(rng.randint(0, 6))
    )
    classifiers = "".join(
        f"Classifier: {c}\n"
        for c in rng.sample(
            (
                "Development Status :: 5 - Production/Stable",
                "Intended Audience :: Developers",
                "License :: OSI Approved :: MIT License",
                "Operating System :: OS Independent",
                "Programming Language :: Python :: 3",
                "Programming Language :: Python :: 3.11",
                "Typing :: Typed",
                "Topic :: Software Development :: Libraries",
            ),
            rng.randint(2, 7),
        )
    )
    desc = fill.prose_text(rng, min(40_000, int(rng.lognormvariate(7.5, 1.2)) + 300))
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: {rng.choice(WORDS).title()} utilities\n"
        f"Home-page: https://example.org/{name.lower()}\nLicense: MIT\n"
        f"Requires-Python: >=3.8\n{requires}{classifiers}"
        f"Description-Content-Type: text/markdown\n\n# {name}\n\n{desc}\n"
    )


def sdk_distributions(rng: random.Random) -> list[tuple[str, str]]:
    """The SDK-relevant distributions of one virtualenv, at real-looking versions: anthropic
    (absent one time in ten) with the HTTP stack its major version uses (httpx for 0.x, httpx2
    from 1.0; sometimes httpx as well), python-dotenv, certifi, pydantic, often requests."""
    pick = {name: rng.choice(versions) for name, versions in PY_SDK_VERSIONS.items()}
    out: list[tuple[str, str]] = []
    with_sdk = rng.random() >= 0.1
    if with_sdk:
        out.append(("anthropic", pick["anthropic"]))
    if not with_sdk or pick["anthropic"].startswith("0.") or rng.random() < 0.3:
        out += [("httpx", pick["httpx"]), ("httpcore", pick["httpcore"])]
    if with_sdk and not pick["anthropic"].startswith("0."):
        out.append(("httpx2", pick["httpx2"]))
    out += [(n, pick[n]) for n in ("python-dotenv", "certifi", "pydantic")]
    if rng.random() < 0.6:
        out.append(("requests", pick["requests"]))
    return out


def make_venv(
    w: TreeWriter,
    rng: random.Random,
    fill: Filler,
    base: str,
    ndists: int,
    python_target: str | None,
    sdk_rng: random.Random,
) -> None:
    """A virtualenv at ``base`` with ``ndists`` installed distributions (pip, setuptools and
    the SDK-relevant ones that ``sdk_rng`` picks first)."""
    w.mark_venv(base)
    venv_name = base.rpartition("/")[2]
    w.write(
        f"{base}/pyvenv.cfg",
        f"home = /usr/local/bin\ninclude-system-site-packages = false\n"
        f"version = {PY_VERSION}.9\nexecutable = /usr/local/bin/python{PY_VERSION}\n"
        f"command = /usr/local/bin/python{PY_VERSION} -m venv {venv_name}\n",
        "venv_file",
    )
    w.write(f"{base}/.gitignore", "# created by venv automatically\n*\n", "venv_file")
    for script in ("activate", "activate.csh", "activate.fish", "Activate.ps1"):
        w.write(
            f"{base}/bin/{script}",
            f"# {script}: venv activation\nVIRTUAL_ENV={base}\n",
            "venv_file",
        )
    if python_target is None:
        w.symlink(
            f"/usr/local/bin/python{PY_VERSION}", f"{base}/bin/python{PY_VERSION}", "venv_link"
        )
    else:
        w.symlink(python_target, f"{base}/bin/python{PY_VERSION}", "venv_link", digest_target=False)
    w.symlink(f"python{PY_VERSION}", f"{base}/bin/python3", "venv_link")
    w.symlink("python3", f"{base}/bin/python", "venv_link")
    w.symlink("lib", f"{base}/lib64", "venv_link")
    w.mkdir(f"{base}/include")
    site = f"{base}/lib/python{PY_VERSION}/site-packages"

    dists = [("pip", "24.2"), ("setuptools", "75.1.0"), *sdk_distributions(sdk_rng)]
    used = {name for name, _ in dists} | set(PY_SDK_VERSIONS)
    while len(dists) < ndists:
        name = unique_name(rng, PY_DIST_POOL, used, lambda: two_words(rng))
        dists.append((name, version_str(rng)))
    for idx, (name, version) in enumerate(dists[:ndists]):
        norm = name.replace("-", "_")
        module = norm.lower()
        roll = rng.random()
        nmods = (
            rng.randint(1, 3)
            if roll < 0.45
            else rng.randint(4, 10)
            if roll < 0.85
            else rng.randint(11, 30)
            if roll < 0.97
            else rng.randint(60, 150)
        )
        installed: list[str] = []
        for j in range(nmods):
            sub = "" if j < 6 else "/" + rng.choice(("_internal", "core", "utils", "vendor"))
            fname = "__init__.py" if j == 0 else f"{rng.choice(WORDS)}_{j}.py"
            rel = f"{module}{sub}/{fname}"
            body = (
                f'"""{name}."""\n__version__ = "{version}"\n'
                if j == 0
                else python_source(rng, rng.randint(10, 120))
            )
            w.write(f"{site}/{rel}", body, "venv_file")
            installed.append(rel)
            if rng.random() < 0.8:
                pyc = f"{module}{sub}/__pycache__/{fname[:-3]}.cpython-311.pyc"
                w.write(f"{site}/{pyc}", pyc_bytes(rng, rng.randint(200, 4000)), "venv_file")
                installed.append(pyc)
        if ndists > 20 and idx in (6, 18):  # legacy egg-info installs
            info = f"{norm}-{version}-py{PY_VERSION}.egg-info"
            w.write(f"{site}/{info}/PKG-INFO", metadata_text(rng, fill, name, version), "venv_meta")
            w.write(f"{site}/{info}/SOURCES.txt", "\n".join(installed) + "\n", "venv_meta")
            w.write(f"{site}/{info}/top_level.txt", module + "\n", "venv_meta")
            w.write(f"{site}/{info}/dependency_links.txt", "\n", "venv_meta")
            w.count("dist_egg_info")
            continue
        info = f"{norm}-{version}.dist-info"
        w.write(f"{site}/{info}/METADATA", metadata_text(rng, fill, name, version), "venv_meta")
        w.write(
            f"{site}/{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.44.0)\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n",
            "venv_meta",
        )
        w.write(f"{site}/{info}/INSTALLER", "pip\n", "venv_meta")
        w.write(f"{site}/{info}/top_level.txt", module + "\n", "venv_meta")
        if rng.random() < 0.25:
            cmd = module.replace("_", "-")
            w.write(
                f"{site}/{info}/entry_points.txt",
                f"[console_scripts]\n{cmd} = {module}.__main__:main\n",
                "venv_meta",
            )
            w.write(
                f"{base}/bin/{cmd}",
                f"#!{base}/bin/python\nimport sys\n"
                f"from {module}.__main__ import main\nsys.exit(main())\n",
                "venv_file",
            )
        if rng.random() < 0.3:
            w.write(f"{site}/{info}/REQUESTED", "", "venv_meta")
        if ndists > 20 and idx == 10:  # an editable install
            w.write(
                f"{site}/{info}/direct_url.json",
                json.dumps({"url": f"file:///work/{module}", "dir_info": {"editable": True}}),
                "venv_meta",
            )
            w.write(f"{site}/__editable__.{norm}-{version}.pth", f"/work/{module}\n", "venv_file")
        record = "".join(
            f"{rel},sha256={base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip('=')},"
            f"{rng.randint(100, 9000)}\n"
            for rel in installed
        )
        record += f"{info}/METADATA,,\n{info}/RECORD,,\n"
        w.write(f"{site}/{info}/RECORD", record, "venv_meta")
        w.count("dist_info")
    w.write(
        f"{site}/distutils-precedence.pth",
        "import os; os.environ.get('SETUPTOOLS_USE_DISTUTILS', 'local')\n",
        "venv_file",
    )
    w.count("venv")
    w.venvs.append({"path": base, "site_packages": site, "distributions": min(ndists, len(dists))})


# ---------------------------------------------------------------------------
# node_modules


@dataclass
class NpmPackage:
    """One installed npm package; ``path`` is relative to the project folder."""

    name: str
    version: str
    path: str
    deps: dict[str, str] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)


def npm_synthetic_name(rng: random.Random) -> str:
    """A made-up npm package name (scoped 15% of the time)."""
    if rng.random() < 0.15:
        return f"@{rng.choice(WORDS)}/{two_words(rng)}"
    return two_words(rng) + rng.choice(("", "-js", "-core", "-utils", "2", "-lite"))


def caret(version: str) -> str:
    """A caret range for ``version`` (exact for 0.x)."""
    return version if version.startswith("0.") else "^" + version


@dataclass
class NpmLayout:
    """Parameters of one node_modules folder."""

    project: str
    packages: int
    nest_prob: float
    nest_depth: int
    deep_chains: int
    env_decoys: int
    workspace_links: list[tuple[str, str]]
    kind: str = "npm"
    """One of ``NPM_LAYOUTS``: ``npm`` (hidden lockfile), ``yarn`` (none), ``pnpm``."""


def plan_node_modules(
    rng: random.Random, lay: NpmLayout, sdk_rng: random.Random
) -> tuple[list[NpmPackage], int]:
    """Choose packages (hoisted and nested); returns them and the hoisted count.

    ``rng`` draws the packages; ``sdk_rng`` then gives the SDK-relevant ones real-looking
    versions, adds ``NPM_ALWAYS`` packages the draw left out (hoisted, direct dependencies) and,
    one time in three, an older nested copy of ``@anthropic-ai/sdk``."""
    used: set[str] = set()
    n_hoisted = max(1, int(lay.packages * (1 - min(0.45, lay.nest_prob * 1.6))))
    hoisted: list[NpmPackage] = []
    for _ in range(n_hoisted):
        name = unique_name(rng, NPM_POOL, used, lambda: npm_synthetic_name(rng))
        hoisted.append(NpmPackage(name, version_str(rng), f"node_modules/{name}"))
    everything = list(hoisted)

    def nest(parent: NpmPackage, depth: int, chain: bool) -> None:
        kids = 1 if chain else rng.randint(1, 3)
        for _ in range(kids):
            if not chain and len(everything) >= lay.packages:
                return
            src = rng.choice(hoisted)
            if src.name == parent.name or src.name in parent.children:
                continue
            version = version_str(rng)
            if version == src.version:
                version += "-next.1"
            child = NpmPackage(src.name, version, f"{parent.path}/node_modules/{src.name}")
            parent.children.append(src.name)
            parent.deps[src.name] = version
            everything.append(child)
            if chain:
                if depth < 10:
                    nest(child, depth + 1, True)
            elif depth < lay.nest_depth and rng.random() < lay.nest_prob * 0.75**depth:
                nest(child, depth + 1, False)

    for pkg in hoisted:
        if len(everything) >= lay.packages:
            break
        if rng.random() < lay.nest_prob:
            nest(pkg, 1, False)
    for _ in range(lay.deep_chains):
        nest(rng.choice(hoisted), 1, True)

    # the SDK-relevant packages, from their own random stream
    present = {p.name for p in hoisted}
    added = [
        NpmPackage(name, "", f"node_modules/{name}") for name in NPM_ALWAYS if name not in present
    ]
    everything[:0] = added  # first: direct dependencies of the project
    n_hoisted += len(added)
    by_path = {p.path: p for p in everything}
    top = {p.name: p for p in everything[:n_hoisted]}
    for pkg in everything:
        versions = NPM_SDK_VERSIONS.get(pkg.name)
        if versions is None:
            continue
        choices = [v for v in versions if pkg is top[pkg.name] or v != top[pkg.name].version]
        pkg.version = sdk_rng.choice(choices)
        parent = by_path.get(pkg.path.rpartition("/node_modules/")[0])
        if parent is not None:
            parent.deps[pkg.name] = pkg.version
    sdk = top["@anthropic-ai/sdk"]
    older = [v for v in NPM_SDK_VERSIONS[sdk.name] if v < sdk.version and v.startswith("0.")]
    hosts = [
        p
        for p in everything[len(added) : n_hoisted]
        if p.name not in NPM_ALWAYS and sdk.name not in p.children
    ]
    # the project depends on NPM_ALWAYS directly (make_node_modules: the first are direct)
    hoisted = everything[:n_hoisted]
    everything[:n_hoisted] = [p for p in hoisted if p.name in NPM_ALWAYS] + [
        p for p in hoisted if p.name not in NPM_ALWAYS
    ]
    if older and hosts and sdk_rng.random() < 1 / 3:
        host = sdk_rng.choice(hosts)
        child = NpmPackage(sdk.name, sdk_rng.choice(older), f"{host.path}/node_modules/{sdk.name}")
        host.children.append(sdk.name)
        host.deps[sdk.name] = child.version
        everything.append(child)
    return everything, n_hoisted


def pnpm_key(pkg: NpmPackage) -> str:
    """pnpm's store folder name: ``@scope+name@1.2.3``."""
    return f"{pkg.name.replace('/', '+')}@{pkg.version}"


def write_pnpm_links(
    w: TreeWriter, nm: str, packages: list[NpmPackage], direct: dict[str, str]
) -> None:
    """pnpm's symlinks: each direct dependency at the top of ``nm``, the other hoisted packages
    in ``.pnpm/node_modules``, and each package's dependencies beside it in the store (resolved
    as npm's nesting resolves them)."""
    by_path = {p.path: p for p in packages}

    def store(pkg: NpmPackage) -> str:
        return f"{nm}/.pnpm/{pnpm_key(pkg)}/node_modules/{pkg.name}"

    def link(target: str, rel: str) -> None:
        w.symlink(os.path.relpath(target, os.path.dirname(rel)), rel, "npm_pnpm_link")

    def resolve(pkg: NpmPackage, dep: str) -> NpmPackage | None:
        path = pkg.path
        while True:
            found = by_path.get(f"{path}/node_modules/{dep}")
            if found is not None or "/node_modules/" not in path:
                return found or by_path.get(f"node_modules/{dep}")
            path = path.rpartition("/node_modules/")[0]

    for pkg in packages:
        if pkg.path.count("node_modules/") == 1:
            where = nm if pkg.name in direct else f"{nm}/.pnpm/node_modules"
            link(store(pkg), f"{where}/{pkg.name}")
    done: set[str] = set()
    for pkg in packages:
        key = pnpm_key(pkg)
        if key in done:
            continue
        done.add(key)
        for dep in sorted(pkg.deps):
            target = resolve(pkg, dep)
            if target is not None and target.name != pkg.name:
                link(store(target), f"{nm}/.pnpm/{key}/node_modules/{dep}")


def pnpm_lock_text(
    packages: list[NpmPackage], direct: dict[str, str], lock: dict[str, object]
) -> str:
    """A ``pnpm-lock.yaml`` (lockfile v9) for the packages."""
    top = {p.name: p for p in packages if p.path.count("node_modules/") == 1}
    out = [
        "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n"
        "  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n"
    ]
    out += [
        f"      '{n}':\n        specifier: {direct[n]}\n        version: {top[n].version}\n"
        for n in sorted(direct)
    ]
    out.append("\npackages:\n\n")
    seen: set[str] = set()
    for pkg in sorted(packages, key=pnpm_key):
        key = pnpm_key(pkg)
        if key in seen:
            continue
        seen.add(key)
        entry = lock[pkg.path]
        assert isinstance(entry, dict)
        out.append(f"  '{key}':\n    resolution: {{integrity: {entry['integrity']}}}\n\n")
    return "".join(out)


def yarn_lock_text(packages: list[NpmPackage], lock: dict[str, object]) -> str:
    """A yarn classic ``yarn.lock`` (v1) for the packages."""
    out = [
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n"
    ]
    seen: set[tuple[str, str]] = set()
    for pkg in sorted(packages, key=lambda p: (p.name, p.version)):
        if (pkg.name, pkg.version) in seen:
            continue
        seen.add((pkg.name, pkg.version))
        entry = lock[pkg.path]
        assert isinstance(entry, dict)
        integrity = str(entry["integrity"])
        sha1 = hashlib.sha1(integrity.encode()).hexdigest()
        short = pkg.name.rpartition("/")[2]
        out.append(
            f'\n"{pkg.name}@{caret(pkg.version)}":\n  version "{pkg.version}"\n'
            f'  resolved "https://registry.example.invalid/{pkg.name}/-/{short}-{pkg.version}.tgz'
            f'#{sha1}"\n  integrity {integrity}\n'
        )
    return "".join(out)


def make_node_modules(
    w: TreeWriter, rng: random.Random, fill: Filler, lay: NpmLayout, sdk_rng: random.Random
) -> tuple[dict[str, str], dict[str, object]]:
    """Write a node_modules folder; returns (direct deps, lockfile ``packages`` entries)."""
    prefix = f"{lay.project}/" if lay.project else ""
    nm = f"{prefix}node_modules"
    pnpm = lay.kind == "pnpm"
    packages, n_hoisted = plan_node_modules(rng, lay, sdk_rng)
    hoisted = packages[:n_hoisted]
    n_direct = min(n_hoisted, max(5, n_hoisted // 8))
    direct = {p.name: caret(p.version) for p in hoisted[:n_direct]}
    for i in range(n_direct, n_hoisted):  # every other hoisted package is someone's dep
        parent = hoisted[rng.randrange(i)]
        if hoisted[i].name in parent.deps or parent.name == hoisted[i].name:
            direct[hoisted[i].name] = caret(hoisted[i].version)
        else:
            parent.deps[hoisted[i].name] = caret(hoisted[i].version)

    decoys = set(rng.sample(range(len(packages)), min(lay.env_decoys, len(packages))))
    lock: dict[str, object] = {}
    bins: dict[str, NpmPackage] = {}
    written = 0
    for idx, pkg in enumerate(packages):
        base = f"{nm}/.pnpm/{pnpm_key(pkg)}/node_modules/{pkg.name}" if pnpm else prefix + pkg.path
        # pnpm keeps one copy of each name@version
        dup = pnpm and w.exists(base)
        short = pkg.name.rpartition("/")[2]
        license_id = rng.choice(("MIT", "MIT", "ISC", "Apache-2.0", "BSD-2-Clause"))
        manifest: dict[str, object] = {
            "name": pkg.name,
            "version": pkg.version,
            "description": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} helpers",
            "main": "index.js",
            "license": license_id,
            "repository": {"type": "git", "url": f"git+https://example.org/{pkg.name}.git"},
        }
        if pkg.deps:
            manifest["dependencies"] = dict(sorted(pkg.deps.items()))
        has_bin = rng.random() < 0.06
        if has_bin:
            manifest["bin"] = {short: "bin/cli.js"}
            if idx < n_hoisted:
                bins.setdefault(short, pkg)
        if rng.random() < 0.3:
            manifest["engines"] = {"node": f">={rng.choice((14, 16, 18, 20))}"}
        entry: dict[str, object] = {
            "version": pkg.version,
            "license": license_id,
            "integrity": "sha512-" + base64.b64encode(rng.randbytes(64)).decode(),
        }
        if pkg.deps:
            entry["dependencies"] = manifest["dependencies"]
        if has_bin:
            entry["bin"] = manifest["bin"]
        lock[pkg.path] = entry
        if dup:
            continue
        w.write(f"{base}/package.json", json.dumps(manifest, indent=2) + "\n", "npm_file")
        w.write(
            f"{base}/README.md",
            f"# {pkg.name}\n\n{fill.prose_text(rng, rng.randint(100, 3000))}\n",
            "npm_file",
        )
        w.write(
            f"{base}/index.js", "'use strict';\nmodule.exports = require('./lib');\n", "npm_file"
        )
        if rng.random() < 0.7:
            w.write(
                f"{base}/LICENSE",
                f"{license_id} License\n\nCopyright (c) {pkg.name} contributors\n",
                "npm_file",
            )
        roll = rng.random()
        nextra = (
            rng.randint(0, 2)
            if roll < 0.55
            else rng.randint(3, 7)
            if roll < 0.85
            else rng.randint(8, 22)
            if roll < 0.97
            else rng.randint(40, 120)
        )
        for j in range(nextra):
            stem = f"{rng.choice(WORDS)}_{j}"
            kind = rng.random()
            if kind < 0.55:
                w.write(
                    f"{base}/lib/{stem}.js", js_source(rng, rng.randint(10, 150), False), "npm_file"
                )
            elif kind < 0.75:
                w.write(
                    f"{base}/dist/{stem}.d.ts",
                    f"export declare function {stem}(input: unknown): void;\n" * rng.randint(1, 25),
                    "npm_file",
                )
            elif kind < 0.9:
                w.write(
                    f"{base}/dist/{stem}.min.js",
                    "!function(){" + fill.minified_text(rng, rng.randint(400, 60_000)) + "}();\n",
                    "npm_file",
                )
            else:
                w.write(
                    f"{base}/dist/{stem}.js.map",
                    json.dumps(
                        {
                            "version": 3,
                            "sources": [f"../src/{stem}.ts"],
                            "mappings": fill.mapping_text(rng, rng.randint(200, 8000)),
                        }
                    ),
                    "npm_file",
                )
        if has_bin:
            w.write(
                f"{base}/bin/cli.js", "#!/usr/bin/env node\nrequire('../index.js');\n", "npm_file"
            )
        if idx in decoys:
            name = rng.choice((".env.example", ".env.example", ".env", ".env.test"))
            w.write(f"{base}/{name}", dotenv_text(rng, short, "example", False), "npm_env_decoy")
        w.count("npm_package")
        written += 1
    for cmd in sorted(bins):
        pkg = bins[cmd]
        inside = f".pnpm/{pnpm_key(pkg)}/node_modules/{pkg.name}" if pnpm else pkg.name
        w.symlink(f"../{inside}/bin/cli.js", f"{nm}/.bin/{cmd}", "npm_bin_link")
    for link_name, target in lay.workspace_links:
        w.symlink(target, f"{nm}/{link_name}", "npm_workspace_link")
        lock[f"node_modules/{link_name}"] = {"resolved": target.lstrip("./"), "link": True}
    if lay.kind == "npm":
        hidden = {
            "name": lay.project.rpartition("/")[2] or "root",
            "lockfileVersion": 3,
            "requires": True,
            "packages": dict(sorted(lock.items())),
        }
        w.write(f"{nm}/.package-lock.json", json.dumps(hidden, indent=2) + "\n", "npm_file")
    elif lay.kind == "yarn":
        w.write(
            f"{nm}/.yarn-integrity",
            json.dumps(
                {
                    "systemParams": "linux-x64-115",
                    "modulesFolders": ["node_modules"],
                    "flags": [],
                    "linkedModules": [],
                    "topLevelPatterns": [f"{n}@{v}" for n, v in sorted(direct.items())],
                    "files": [],
                    "artifacts": {},
                },
                indent=2,
            )
            + "\n",
            "npm_file",
        )
        w.write(f"{prefix}yarn.lock", yarn_lock_text(packages, lock), "project_file")
    else:
        write_pnpm_links(w, nm, packages, direct)
        text = pnpm_lock_text(packages, direct, lock)
        w.write(f"{nm}/.pnpm/lock.yaml", text, "npm_file")
        w.write(
            f"{nm}/.modules.yaml",
            "hoistPattern:\n  - '*'\nhoistedDependencies: {}\nincluded:\n  dependencies: true\n"
            "  devDependencies: true\n  optionalDependencies: true\nlayoutVersion: 5\n"
            "nodeLinker: isolated\npackageManager: pnpm@9.15.4\npendingBuilds: []\n"
            "publicHoistPattern: []\nregistries:\n  default: https://registry.example.invalid/\n"
            "storeDir: /root/.local/share/pnpm/store/v3\nvirtualStoreDir: .pnpm\n",
            "npm_file",
        )
        w.write(f"{prefix}pnpm-lock.yaml", text, "project_file")
    w.count("node_modules")
    w.node_modules.append(
        {"path": nm, "layout": lay.kind, "hidden_lockfile": lay.kind == "npm", "packages": written}
    )
    return direct, lock


# ---------------------------------------------------------------------------
# .git

GIT_HOOK_SAMPLES = (
    "applypatch-msg",
    "commit-msg",
    "fsmonitor-watchman",
    "post-update",
    "pre-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "pre-push",
    "pre-rebase",
    "pre-receive",
    "prepare-commit-msg",
    "push-to-checkout",
    "update",
)


def make_git(w: TreeWriter, rng: random.Random, fill: Filler, nobjects: int, pack_mib: int) -> None:
    """A .git folder with ``nobjects`` loose objects and a pack of random bytes."""
    g = ".git"
    author = "Dev Eloper <dev@example.com>"
    head = rand_str(rng, 40, HEX)
    w.write(f"{g}/HEAD", "ref: refs/heads/main\n", "git_file")
    w.write(
        f"{g}/config",
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n"
        '\tbare = false\n\tlogallrefupdates = true\n[remote "origin"]\n'
        "\turl = git@example.org:acme/project.git\n"
        '\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n'
        "\tremote = origin\n\tmerge = refs/heads/main\n",
        "git_file",
    )
    w.write(f"{g}/description", "Unnamed repository.\n", "git_file")
    index = b"DIRC" + struct.pack(">II", 2, 0)
    w.write(f"{g}/index", index + hashlib.sha1(index).digest(), "git_file")
    for hook in GIT_HOOK_SAMPLES:
        w.write(f"{g}/hooks/{hook}.sample", f"#!/bin/sh\n# {hook} sample\nexit 0\n", "git_file")
    w.write(f"{g}/info/exclude", "# per-repository excludes\n", "git_file")
    branches = ["main"] + [f"feature/{two_words(rng)}" for _ in range(rng.randint(3, 12))]
    for branch in branches:
        sha = head if branch == "main" else rand_str(rng, 40, HEX)
        w.write(f"{g}/refs/heads/{branch}", sha + "\n", "git_file")
        w.write(
            f"{g}/logs/refs/heads/{branch}",
            f"{'0' * 40} {sha} {author} 1700000000 +0000\tbranch: Created\n",
            "git_file",
        )
    w.write(f"{g}/refs/remotes/origin/HEAD", "ref: refs/remotes/origin/main\n", "git_file")
    w.write(
        f"{g}/packed-refs",
        "# pack-refs with: peeled fully-peeled sorted\n"
        + "".join(
            f"{rand_str(rng, 40, HEX)} refs/tags/v{version_str(rng)}\n"
            for _ in range(rng.randint(5, 50))
        ),
        "git_file",
    )
    w.write(
        f"{g}/logs/HEAD",
        "".join(
            f"{rand_str(rng, 40, HEX)} {rand_str(rng, 40, HEX)} {author} {1700000000 + i * 977}"
            f" +0000\tcommit: {rng.choice(WORDS)}\n"
            for i in range(150)
        ),
        "git_file",
    )
    w.write(f"{g}/COMMIT_EDITMSG", f"Tidy {rng.choice(WORDS)}\n", "git_file")
    seen: set[str] = set()
    made = 0
    while made < nobjects:
        roll = rng.random()
        if roll < 0.7:
            kind = b"blob"
            body = fill.prose_text(rng, rng.randint(200, 6000)).encode()
        elif roll < 0.9:
            kind = b"tree"
            body = b"".join(
                f"100644 {rng.choice(WORDS)}_{j}.ts".encode() + b"\0" + rng.randbytes(20)
                for j in range(rng.randint(2, 30))
            )
        else:
            kind = b"commit"
            body = (
                f"tree {rand_str(rng, 40, HEX)}\nparent {rand_str(rng, 40, HEX)}\n"
                f"author {author} {1700000000 + made} +0000\n"
                f"committer {author} {1700000000 + made} +0000\n\n"
                f"Update {two_words(rng, ' ')}\n"
            ).encode()
        raw = kind + b" " + str(len(body)).encode() + b"\0" + body
        sha = hashlib.sha1(raw).hexdigest()
        if sha in seen:
            continue
        seen.add(sha)
        w.write(f"{g}/objects/{sha[:2]}/{sha[2:]}", zlib.compress(raw, 1), "git_object")
        made += 1
    if pack_mib:
        pack = rand_str(rng, 40, HEX)
        w.write(
            f"{g}/objects/pack/pack-{pack}.pack",
            b"PACK\0\0\0\2" + rng.randbytes(pack_mib << 20),
            "git_file",
        )
        w.write(
            f"{g}/objects/pack/pack-{pack}.idx",
            b"\377tOc\0\0\0\2" + rng.randbytes(pack_mib * 24 * 1024),
            "git_file",
        )
        w.write(f"{g}/objects/info/packs", f"P pack-{pack}.pack\n\n", "git_file")


# ---------------------------------------------------------------------------
# project layout

DOTENV_NAMES = (
    ".env",
    ".env.example",
    ".env.local",
    ".env.development",
    ".env.production",
    ".env.test",
    "docker.env",
    ".env.staging",
    "config/app.env",
    ".env.production.local",
    "deploy/prod.env",
    ".env.sample",
)


def write_dotenvs(w: TreeWriter, rng: random.Random, base: str, app: str, names: list[str]) -> None:
    """Dotenv files ``names`` under ``base``; a third of non-example ones get a key."""
    for name in names:
        flavour = dotenv_flavour(name)
        with_key = flavour != "example" and rng.random() < 1 / 3
        rel = f"{base}/{name}" if base else name
        w.write(rel, dotenv_text(rng, app, flavour, with_key), "dotenv")
        if with_key:
            w.dotenv_with_key += 1


def write_root_files(
    w: TreeWriter,
    rng: random.Random,
    name: str,
    deps: dict[str, str],
    lock: dict[str, object],
    workspaces: list[str] | None,
) -> None:
    """package.json, lockfile, compose file and friends at the project root."""
    pkg: dict[str, object] = {
        "name": name,
        "version": "1.0.0",
        "private": True,
        "scripts": {"dev": "vite", "build": "tsc -b", "test": "jest", "lint": "eslint ."},
        "dependencies": dict(sorted(deps.items())),
    }
    if workspaces is not None:
        pkg["workspaces"] = workspaces
    w.write("package.json", json.dumps(pkg, indent=2) + "\n", "project_file")
    packages: dict[str, object] = {
        "": {"name": name, "version": "1.0.0", "dependencies": pkg["dependencies"]}
    }
    packages.update(lock)
    w.write(
        "package-lock.json",
        json.dumps(
            {
                "name": name,
                "version": "1.0.0",
                "lockfileVersion": 3,
                "requires": True,
                "packages": packages,
            },
            indent=2,
        )
        + "\n",
        "project_file",
    )
    w.write(
        ".gitignore",
        "node_modules/\n.venv/\n__pycache__/\n*.pyc\n.env\n.env.local\n.env.*.local\ndist/\n",
        "project_file",
    )
    w.write(
        "README.md", f"# {name}\n\nCopy `.env.example` to `.env` before running.\n", "project_file"
    )
    services = "".join(
        f"  {rng.choice(WORDS)}:\n    build: .\n    env_file:\n      - .env\n"
        "      - docker.env\n    environment:\n      - LOG_LEVEL=info\n"
        for _ in range(rng.randint(2, 5))
    )
    w.write("docker-compose.yml", "services:\n" + services, "project_file")
    w.write(
        "Dockerfile",
        "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nWORKDIR /app\n"
        'COPY . .\nCMD ["python", "-m", "app"]\n',
        "project_file",
    )
    w.write(
        "pyproject.toml",
        f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
        'dependencies = ["anthropic>=0.30", "python-dotenv>=1"]\n',
        "project_file",
    )
    w.write(
        "tsconfig.json",
        json.dumps({"compilerOptions": {"strict": True, "target": "ES2022"}}, indent=2) + "\n",
        "project_file",
    )


def build_single_app(
    w: TreeWriter, p: Preset, seed: int, size: str, python_target: str | None
) -> None:
    """The small preset: one app with a web front end and a Python server."""
    app = "storefront"
    fill = Filler(rng_for(seed, size, "filler"))
    src = rng_for(seed, size, "sources")
    n_web = p.sources * 11 // 20
    make_sources(w, src, fill, "web", app, n_web, "js", 1)
    make_sources(w, src, fill, "server", app, p.sources - n_web, "py", 1)
    make_assets(w, rng_for(seed, size, "assets"), "web", p.assets)
    write_dotenvs(
        w,
        rng_for(seed, size, "dotenv"),
        "",
        app,
        [".env", ".env.example", ".env.local"][: p.dotenv_files],
    )
    layout = rng_for(seed, size, "layout")
    for _ in range(p.envrc_files):
        w.write(".envrc", envrc_text(layout), "envrc")
    for i, ndists in enumerate(p.venv_dists):
        make_venv(
            w,
            rng_for(seed, size, "venv", i),
            fill,
            ".venv" if i == 0 else f".venv{i}",
            ndists,
            python_target,
            rng_for(seed, size, "venv-sdk", i),
        )
    deps, lock = make_node_modules(
        w,
        rng_for(seed, size, "npm", "root"),
        fill,
        NpmLayout(
            "",
            p.root_npm_packages,
            p.npm_nest_prob,
            p.npm_nest_depth,
            p.npm_deep_chains,
            p.npm_env_decoys,
            [],
        ),
        rng_for(seed, size, "npm-sdk", "root"),
    )
    write_root_files(w, layout, app, deps, lock, None)
    pins = dict(sdk_distributions(rng_for(seed, size, "venv-sdk", 0)))  # what .venv holds
    w.write(
        "requirements.txt",
        "".join(f"{n}=={pins[n]}\n" for n in ("anthropic", "python-dotenv") if n in pins),
        "project_file",
    )
    make_git(w, rng_for(seed, size, "git"), fill, p.git_objects, p.git_pack_mib)


def build_monorepo(
    w: TreeWriter, p: Preset, seed: int, size: str, python_target: str | None
) -> None:
    """The medium / large presets: a monorepo of many workspaces."""
    fill = Filler(rng_for(seed, size, "filler"))
    layout = rng_for(seed, size, "layout")
    taken: set[str] = set()
    workspaces: list[tuple[str, str, str]] = []  # (dir, name, lang)
    for _ in range(p.workspaces):
        name = f"{layout.choice(WORDS)}-{layout.choice(APP_SUFFIXES)}"
        while name in taken:
            name = f"{layout.choice(WORDS)}-{layout.choice(APP_SUFFIXES)}"
        taken.add(name)
        roll = layout.random()
        top = "apps" if roll < 0.3 else "packages" if roll < 0.65 else "services"
        lang = "py" if top == "services" and layout.random() < 0.7 else "js"
        workspaces.append((f"{top}/{name}", name, lang))

    src = rng_for(seed, size, "sources")
    share, rest = divmod(p.sources, p.workspaces)
    extra_depth = 1 if size == "medium" else 3
    for i, (wdir, name, lang) in enumerate(workspaces):
        make_sources(w, src, fill, wdir, name, share + (rest if i == 0 else 0), lang, extra_depth)
        w.write(
            f"{wdir}/package.json",
            json.dumps(
                {
                    "name": f"@acme/{name}",
                    "version": f"0.{i}.0",
                    "private": True,
                    "main": "src/index.ts",
                },
                indent=2,
            )
            + "\n",
            "project_file",
        )
        if lang == "py":
            w.write(
                f"{wdir}/pyproject.toml",
                f'[project]\nname = "{name}"\nversion = "0.1.0"\n',
                "project_file",
            )
    make_assets(w, rng_for(seed, size, "assets"), "apps/shared-assets", p.assets)

    # dotenv files: two at the root, the rest dealt round-robin over the workspaces
    env_rng = rng_for(seed, size, "dotenv")
    write_dotenvs(w, env_rng, "", "monorepo", [".env", ".env.example"])
    per_ws = [0] * p.workspaces
    left = p.dotenv_files - 2
    i = 0
    while left > 0:
        if per_ws[i % p.workspaces] < len(DOTENV_NAMES):
            per_ws[i % p.workspaces] += 1
            left -= 1
        i += 1
    linked = set(env_rng.sample(range(p.workspaces), p.dotenv_symlinks))
    for idx, ((wdir, name, _lang), count) in enumerate(zip(workspaces, per_ws)):
        names = list(DOTENV_NAMES[:2])
        others = list(DOTENV_NAMES[2:])
        env_rng.shuffle(others)
        names += others
        if idx in linked:  # this workspace's .env is a symlink to the root one
            names.remove(".env")
            w.symlink("../../.env", f"{wdir}/.env", "dotenv_symlink")
        write_dotenvs(w, env_rng, wdir, name, names[:count])
    for j in range(p.envrc_files):
        w.write(f"{workspaces[(j * 7) % p.workspaces][0]}/.envrc", envrc_text(layout), "envrc")

    python_ws = [ws for ws in workspaces if ws[2] == "py"] or workspaces
    for i, ndists in enumerate(p.venv_dists):
        wdir = python_ws[i % len(python_ws)][0]
        vdir = f"{wdir}/.venv" if i < len(python_ws) else f"{wdir}/envs/py{i}/.venv"
        make_venv(
            w,
            rng_for(seed, size, "venv", i),
            fill,
            vdir,
            ndists,
            python_target,
            rng_for(seed, size, "venv-sdk", i),
        )
    if p.dotenv_named_venv_dists:
        make_venv(
            w,
            rng_for(seed, size, "venv", "named-dotenv"),
            fill,
            "tools/legacy/.env",
            p.dotenv_named_venv_dists,
            python_target,
            rng_for(seed, size, "venv-sdk", "named-dotenv"),
        )
        w.count("dotenv_named_venv")

    js_ws = [ws for ws in workspaces if ws[2] == "js"]
    links = [(f"@acme/{name}", f"../../{wdir}") for wdir, name, _ in js_ws]
    deps, lock = make_node_modules(
        w,
        rng_for(seed, size, "npm", "root"),
        fill,
        NpmLayout(
            "",
            p.root_npm_packages,
            p.npm_nest_prob,
            p.npm_nest_depth,
            p.npm_deep_chains,
            p.npm_env_decoys // 2,
            links,
        ),
        rng_for(seed, size, "npm-sdk", "root"),
    )
    write_root_files(w, layout, "acme-monorepo", deps, lock, ["apps/*", "packages/*", "services/*"])
    app_ws = [ws for ws in js_ws if ws[0].startswith("apps/")] or js_ws
    decoys_each = max(1, p.npm_env_decoys // (2 * max(1, len(p.app_npm_packages))))
    for i, npkgs in enumerate(p.app_npm_packages):
        wdir = app_ws[i % len(app_ws)][0]
        project = wdir if i < len(app_ws) else f"{wdir}/e2e-{i}"
        make_node_modules(
            w,
            rng_for(seed, size, "npm", "app", i),
            fill,
            NpmLayout(
                project,
                npkgs,
                p.npm_nest_prob / 2,
                2,
                0,
                decoys_each,
                [],
                NPM_LAYOUTS[i % len(NPM_LAYOUTS)],
            ),
            rng_for(seed, size, "npm-sdk", "app", i),
        )
    make_git(w, rng_for(seed, size, "git"), fill, p.git_objects, p.git_pack_mib)


def generate(
    size: str, outdir: str, seed: int = DEFAULT_SEED, force: bool = False, python_link: bool = True
) -> dict[str, object]:
    """Generate the ``size`` tree in ``outdir`` and return its manifest."""
    preset = PRESETS[size]
    out = os.path.abspath(outdir)
    if os.path.lexists(out):
        if os.path.isdir(out) and not os.path.islink(out) and not os.listdir(out):
            pass
        elif not force:
            raise FileExistsError(f"{out} exists and is not empty (use --force)")
        elif os.path.isdir(out) and not os.path.islink(out):
            shutil.rmtree(out)
        else:
            os.unlink(out)
    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()
    writer = TreeWriter(out)
    python_target = sys.executable if python_link else None
    if preset.monorepo:
        build_monorepo(writer, preset, seed, size, python_target)
    else:
        build_single_app(writer, preset, seed, size, python_target)
    return {
        "generator_version": GENERATOR_VERSION,
        "size": size,
        "seed": seed,
        "root": out,
        "files": writer.files,
        "symlinks": writer.symlinks,
        "dirs": writer.dirs,
        "bytes": writer.bytes,
        "dotenv_files": writer.dotenv_visible,
        "dotenv_files_in_pruned_dirs": writer.dotenv_pruned,
        "dotenv_with_anthropic_key": writer.dotenv_with_key,
        "counts": dict(sorted(writer.kinds.items())),
        "venvs": writer.venvs,
        "python_distributions": sum(int(str(v["distributions"])) for v in writer.venvs),
        "node_modules": writer.node_modules,
        "npm_packages": sum(int(str(m["packages"])) for m in writer.node_modules),
        "digest": writer.hexdigest(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description="Generate a deterministic synthetic project tree for envaudit benchmarks."
    )
    parser.add_argument("size", choices=sorted(PRESETS))
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace OUTDIR if not empty")
    parser.add_argument("--manifest", help="also write the manifest JSON to this file")
    parser.add_argument(
        "--no-python-link",
        action="store_true",
        help="venv bin/python links to /usr/local/bin/python3.11 instead of "
        "the running interpreter",
    )
    args = parser.parse_args(argv)
    try:
        manifest = generate(args.size, args.outdir, args.seed, args.force, not args.no_python_link)
    except FileExistsError as exc:
        print(f"gen_tree: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(manifest, indent=2)
    print(text)
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
