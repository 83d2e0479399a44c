"""``envaudit.collectors.manifests``: the root's manifests name the SDK, and a manifest that is
not a regular file (a FIFO, a folder) is passed over without blocking."""

from __future__ import annotations

import os
from pathlib import Path

from envaudit.collectors.base import ProviderHint
from envaudit.collectors.manifests import ManifestCollector

from .helpers import options, write


def hints(root: Path) -> list[str]:
    facts = list(ManifestCollector().collect(options(root)))
    assert all(isinstance(f, ProviderHint) for f in facts)
    return [f.reason for f in facts]  # type: ignore[union-attr]


def test_manifests_naming_the_sdk(tree: Path) -> None:
    write(tree, "pyproject.toml", '[project]\ndependencies = ["anthropic>=0.40"]\n')
    write(tree, "requirements.txt", "httpx\r\nanthropic[bedrock]==0.49\r\n")
    write(tree, "package.json", '{"dependencies": {"@anthropic-ai/sdk": "^1.0"}}')
    write(tree, "Pipfile", "[packages]\nrequests = '*'\n")
    assert hints(tree) == ["pyproject.toml declares an Anthropic SDK",
                           "requirements.txt declares an Anthropic SDK",
                           "package.json declares an Anthropic SDK"]


def test_manifests_not_naming_it(tree: Path) -> None:
    write(tree, "pyproject.toml", '[project]\ndependencies = ["anthropic-tools-x"]\n')
    write(tree, "requirements.txt", "# anthropic\nnot-anthropic\n")
    assert hints(tree) == []


def test_a_fifo_named_like_a_manifest_does_not_block(tree: Path, no_hang: None) -> None:
    os.mkfifo(tree / "pyproject.toml")
    os.mkfifo(tree / "package.json")
    write(tree, "requirements.txt", "anthropic\n")
    assert hints(tree) == ["requirements.txt declares an Anthropic SDK"]


def test_a_folder_or_a_binary_named_like_a_manifest(tree: Path) -> None:
    (tree / "requirements.txt").mkdir()
    write(tree, "Pipfile", b"# caf\xe9\x00\n[packages]\nanthropic = '*'\n")
    assert hints(tree) == ["Pipfile declares an Anthropic SDK"]   # bad bytes become U+FFFD
