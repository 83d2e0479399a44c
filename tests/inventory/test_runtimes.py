"""``envaudit.inventory.runtimes`` and the runtimes collector: the node on PATH, version files,
the Dockerfile's final image."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.collectors.base import CollectOptions
from envaudit.collectors.runtimes import RuntimesCollector
from envaudit.inventory import runtimes as inv
from envaudit.model import Location, Runtime, Skip


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_node_version_from_its_headers_without_running_it(tmp_path: Path) -> None:
    node = _script(tmp_path / "bin" / "node", "exit 99")  # would fail if run
    (tmp_path / "include" / "node").mkdir(parents=True)
    (tmp_path / "include" / "node" / "node_version.h").write_text(
        "#define NODE_MAJOR_VERSION 22\n#define NODE_MINOR_VERSION 21\n"
        "#define NODE_PATCH_VERSION 0\n")
    assert inv.node_version(str(node)) == ("22.21.0", "node_version.h")


def test_node_version_asked_when_there_are_no_headers(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert inv.node_version(str(_script(tmp_path / "a" / "node", "echo v18.20.4"))) == (
        "18.20.4", "node --version")
    monkeypatch.setattr(inv, "NODE_SECONDS", 0.3)
    assert inv.node_version(str(_script(tmp_path / "b" / "node", "sleep 5"))) == (
        "did not answer within 0.3 s")
    assert inv.node_version(str(_script(tmp_path / "c" / "node", "echo hello"))) == (
        "did not say its version")
    assert inv.node_version(str(tmp_path / "missing")).startswith("cannot be run")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_real_node_agrees() -> None:
    node = shutil.which("node")
    assert node is not None
    said = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    found = inv.node_version(node)
    assert not isinstance(found, str) and "v" + found[0] == said.stdout.strip()


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM python:3.9-slim\n", ("python", "3.9", "python:3.9-slim", 1)),
    ("FROM python:3.12.7-bookworm AS build\nRUN x\nFROM build\n",
     ("python", "3.12.7", "python:3.12.7-bookworm", 1)),
    ("FROM node:22 AS deps\nFROM gcr.io/distroless/nodejs22\n", None),  # another image last
    ("FROM --platform=$BUILDPLATFORM node:18-alpine@sha256:00ff\n",
     ("node", "18", "node:18-alpine@sha256:00ff", 1)),
    ("from registry.example.com:5000/mirror/node:20.11.1\n",
     ("node", "20.11.1", "registry.example.com:5000/mirror/node:20.11.1", 1)),
    ("FROM node:lts\n", None),
    ("FROM python\n", None),
    ("ARG BASE=python:3.8\nFROM ${BASE}\n", None),
    ("FROM pypy:3.9\n", None),
    ("", None),
])
def test_dockerfile_runtime(text: str, expected: object) -> None:
    assert inv.dockerfile_runtime(text) == expected


@pytest.mark.parametrize(("data", "expected"), [
    (b"v18.19.0\n", "18.19.0"), (b"20\n", "20"), (b"3.9.18\n3.11\n", "3.9.18"),
    (b"lts/iron\n", None), (b"system\n", None), (b"", None), (b"\xff\xfe1\x00", None),
])
def test_version_file(data: bytes, expected: str | None) -> None:
    assert inv.version_file(data) == expected


@given(st.text(max_size=300))
def test_parsers_never_raise(text: str) -> None:
    inv.dockerfile_runtime(text)
    inv.version_file(text.encode("utf-8", "surrogatepass"))


def test_collector(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "web").mkdir(parents=True)
    (root / ".python-version").write_text("3.9.18\n")
    (root / "web" / ".nvmrc").write_text("lts/hydrogen\n")  # an alias: no version
    (root / "web" / ".node-version").write_text("18\n")
    (root / "web" / "Dockerfile").write_text("FROM node:18-alpine\n")
    _script(tmp_path / "bin" / "node", "echo v16.20.2")
    opts = CollectOptions(str(root), environ={"PATH": str(tmp_path / "bin")},
                          package_folders=("web",))
    assert list(RuntimesCollector().collect(opts)) == [
        Runtime("python", "3.9.18", ".python-version", Location("config", ".python-version", 1)),
        Runtime("node", "18", "web/.node-version", Location("config", "web/.node-version", 1)),
        Runtime("node", "18", "web/Dockerfile FROM node:18-alpine",
                Location("config", "web/Dockerfile", 1)),
    ]  # no package.json anywhere: node on PATH is not asked
    (root / "web" / "package.json").write_text("{}")
    node = str(tmp_path / "bin" / "node")
    assert list(RuntimesCollector().collect(opts))[-1] == Runtime(
        "node", "16.20.2", f"node on PATH ({node})", Location("package", node))
    _script(tmp_path / "bin" / "node", "exit 1")
    assert list(RuntimesCollector().collect(opts))[-1] == Skip(
        "package", "node on PATH did not say its version: its version is not known", path=node)
