"""Loader models: how each real dotenv loader reads a file.

``LOADERS`` is the explicit registry: every loader envaudit knows, with the module whose
``read(data, environ, *, override, keep) -> LoaderResult`` reproduces its reading (see
``envaudit.loaders.base``). The file conventions (dotenv-flow, Next.js, Vite) choose which files
load in which order; their reading is node dotenv's, with dotenv-expand's expansion for Next.js
and Vite (both bundle them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    DOTENV_EXPAND,
    DOTENV_FLOW,
    DOTENVX,
    NEXTJS,
    NODE_DOTENV,
    PROCESS,
    PYTHON_DOTENV,
    VITE,
)
from envaudit.record import Record


class LoaderInfo(Record):
    """One loader envaudit models."""

    description: str
    """What it is, in one line."""
    module: str
    """The module whose ``read`` reproduces its reading of one file."""
    kind: str
    """``library`` (any dotenv file, by path), ``convention`` (``.env``, ``.env.local``,
    ``.env.<mode>``, ``.env.<mode>.local``) or ``docker`` (files given to ``--env-file``,
    ``NAME.env``)."""
    refuses_files: bool = False
    """A bad line anywhere makes it refuse the whole file (compose aborts the project)."""
    label: str = ""
    """How a message names it (the registry name when empty)."""


#: Loader name -> what it is, in the order they are reported.
LOADERS: dict[str, LoaderInfo] = {
    PYTHON_DOTENV: LoaderInfo("python-dotenv load_dotenv() / dotenv_values()",
                              "envaudit.loaders.python_dotenv", "library"),
    NODE_DOTENV: LoaderInfo("node dotenv (motdotla) dotenv.config() / parse()",
                            "envaudit.loaders.node_dotenv", "library", label="node dotenv"),
    DOTENV_EXPAND: LoaderInfo("dotenv-expand over node dotenv", "envaudit.loaders.dotenv_expand",
                              "library"),
    DOTENVX: LoaderInfo("@dotenvx/dotenvx (dotenvx run / config())", "envaudit.loaders.dotenvx",
                        "library"),
    DOTENV_FLOW: LoaderInfo("dotenv-flow (.env, .env.local, .env.<NODE_ENV>[.local])",
                            "envaudit.loaders.node_dotenv", "convention"),
    NEXTJS: LoaderInfo("Next.js @next/env (.env, .env.local, .env.<mode>[.local])",
                       "envaudit.loaders.dotenv_expand", "convention", label="Next.js"),
    VITE: LoaderInfo("Vite loadEnv (.env, .env.local, .env.<mode>[.local])",
                     "envaudit.loaders.dotenv_expand", "convention", label="Vite"),
    DOCKER_ENV_FILE: LoaderInfo("docker run --env-file (docker CLI, values taken verbatim)",
                                "envaudit.loaders.docker_env_file", "docker",
                                label="docker --env-file"),
    COMPOSE: LoaderInfo("docker compose env_file (compose-go)", "envaudit.loaders.compose",
                        "docker", refuses_files=True, label="docker compose"),
}


def loader_label(loader: str) -> str:
    """How a message names ``loader`` (``process``: the process environment)."""
    if loader == PROCESS:
        return "the process environment"
    info = LOADERS.get(loader)
    return info.label or loader if info is not None else loader


#: Read by their own code in ``collectors.dotenv_files`` (python-dotenv's dropped statements,
#: docker's whole-file refusal), not through ``reader``.
BUILT_IN = (PYTHON_DOTENV, DOCKER_ENV_FILE)


def reader(loader: str) -> Callable[..., Any] | None:
    """The ``read(data, environ, *, override, keep) -> LoaderResult`` that models ``loader`` (one
    of the loaders not ``BUILT_IN``), or ``None`` when its model is missing."""
    info = LOADERS.get(loader)
    if info is None or loader in BUILT_IN:
        return None
    try:
        module = importlib.import_module(info.module)
    except ImportError:
        return None
    return getattr(module, "read", None)


def modeled(loader: str) -> bool:
    """Whether envaudit can read files as ``loader`` does."""
    return loader in BUILT_IN or reader(loader) is not None
