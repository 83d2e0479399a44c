"""Loader models: how each real dotenv loader reads a file (python-dotenv, docker --env-file).

``LOADERS`` is the explicit registry of the loaders envaudit models so far.
"""

from __future__ import annotations

from envaudit.model import DOCKER_ENV_FILE, PYTHON_DOTENV

#: Loader name -> one-line description, in the order they are reported.
LOADERS: dict[str, str] = {
    PYTHON_DOTENV: "python-dotenv load_dotenv() / dotenv_values()",
    DOCKER_ENV_FILE: "docker run --env-file (docker CLI, values taken verbatim)",
}
