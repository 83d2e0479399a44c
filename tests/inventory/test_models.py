"""``envaudit.inventory.models``: the model IDs and deprecation map an installed SDK knows.

Checked three ways: against the real ``anthropic`` the test extra installs (what its imported
types and messages module say, when it is importable); against small packages written here in
the shape of each layout measured on the real releases (``docs/sdk-facts.md``, "Model lists and
deprecation maps": no SDK source is copied, the files hold only the statements that matter);
and against bad input, which must give the bundled catalogue with a reason, never an exception.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import re
import tempfile
import textwrap
import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit.collectors import python_envs as collector
from envaudit.collectors.base import CollectOptions
from envaudit.inventory import models as mod
from envaudit.model import (
    DeprecatedModel,
    ModelCatalogue,
    NodeModules,
    Package,
    PythonEnvironment,
    Snapshot,
)

# --------------------------------------------------------------------------- layouts

#: The IDs and map every fixture writes (shapes of the real values: a spelled date with an
#: ordinal, one without, an alias next to its dated ID).
IDS = ("claude-next-5", "claude-opus-4-5", "claude-opus-4-5-20251101", "claude-2.0")
MAP = {"claude-opus-4-5": "January 22nd, 2027", "claude-2.0": "July 21st, 2025",
       "claude-x-1": "October 22, 2025"}


def write(root: Path, files: dict[str, str]) -> Path:
    """``files`` (package-relative path -> text, dedented) under ``root``; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def _py_literal(ids: tuple[str, ...], indent: str = "        ") -> str:
    return "".join(f'{indent}"{i}",\n' for i in ids)


def _py_dict(pairs: dict[str, str], indent: str = "    ") -> str:
    return "".join(f'{indent}"{k}": "{v}",\n' for k, v in pairs.items())


def _uses(name: str) -> str:
    """A class whose method uses the map the way the messages resource does (indented uses that
    must not be taken for definitions or imports)."""
    return (f"class Messages:\n    def create(self, model):\n        if model in {name}:\n"
            f"            warn(f\"deprecated until {{{name}[model]}}\")\n")


#: anthropic 2.13+: the resource imports the map from ``_data``, which re-exports it.
PY_DATA = {
    "anthropic/types/model.py":
        "from typing import Union\nfrom typing_extensions import Literal, TypeAlias\n\n"
        "Model: TypeAlias = Union[\n    Literal[\n" + _py_literal(IDS) + "    ],\n    str,\n]\n"
        '"""The model."""\n',
    "anthropic/resources/messages/messages.py":
        "from __future__ import annotations\n\nimport warnings\n"
        "from ..._data import DEPRECATED_MODELS, MODELS_TO_WARN\n"
        "from ...types import Model\n\n" + _uses("DEPRECATED_MODELS"),
    "anthropic/_data/__init__.py":
        "from .deprecated_models import DEPRECATED_MODELS as DEPRECATED_MODELS\n"
        "from .warn import MODELS_TO_WARN as MODELS_TO_WARN\n",
    "anthropic/_data/deprecated_models.py":
        "from typing import Dict\n\nDEPRECATED_MODELS: Dict[str, str] = {\n" + _py_dict(MAP)
        + "}\n",
}
#: anthropic 0.44-2.12: the resource defines the map; 1.17-2.12 also ship an unused ``_data``
#: copy, which must not be read.
PY_RESOURCE = {
    "anthropic/types/model.py": PY_DATA["anthropic/types/model.py"],
    "anthropic/resources/messages/messages.py":
        "import warnings\n\nfrom ...types import Model\n\n\nDEPRECATED_MODELS = {\n"
        + _py_dict(MAP) + "}\n\nMODELS_TO_WARN = [\"x\"]\n\n\n" + _uses("DEPRECATED_MODELS"),
    "anthropic/_data/deprecated_models.py":
        'DEPRECATED_MODELS = {"claude-unused": "June 1st, 2020"}\n',
}
#: anthropic 0.35-0.40: one ``resources/messages.py``; ``Union[str, Literal[...]]``.
PY_FLAT = {
    "anthropic/types/model.py":
        "from typing import Union\nfrom typing_extensions import Literal\n\n"
        "Model = Union[\n    str,\n    Literal[\n" + _py_literal(IDS) + "    ],\n]\n",
    "anthropic/resources/messages.py":
        "DEPRECATED_MODELS = {\n" + _py_dict(MAP) + "}\n\n\n" + _uses("DEPRECATED_MODELS"),
}
#: anthropic 0.19-0.31: the IDs are in the ``model`` fields of the params classes (two
#: classes per file, a stray quote as 0.19-0.20 have it); no map.
PY_PARAMS = {
    "anthropic/types/message_create_params.py": textwrap.dedent('''
        from typing import Union
        from typing_extensions import Literal, Required, TypedDict


        class MessageCreateParamsBase(TypedDict, total=False):
            max_tokens: Required[int]
            model: Required[Union[str, Literal["claude-3-opus-20240229", "claude-2.1'"]]]


        class MessageCreateParamsStreaming(MessageCreateParamsBase):
            stream: Required[Literal[True]]
        '''),
    "anthropic/types/completion_create_params.py": textwrap.dedent('''
        class CompletionCreateParamsBase(TypedDict, total=False):
            model: Required[Union[str, Literal["claude-2.1", "claude-instant-1"]]]


        class CompletionCreateParamsNonStreaming(CompletionCreateParamsBase):
            model: Required[Union[str, Literal["claude-2.1", "claude-instant-1"]]]
        '''),
    "anthropic/resources/messages.py": "class Messages:\n    pass\n",
}
#: anthropic 0.2: no types at all.
PY_NONE = {"anthropic/__init__.py": "from .api import Client\n"}

#: @anthropic-ai/sdk 1.13+: messages.js requires internal/data.js, whose getter returns the
#: export of internal/data/deprecated-models.js.
TS_DATA = {
    "package/resources/messages/messages.d.ts":
        "export interface Message {\n    model: Model;\n}\n"
        "export type Model = " + " | ".join(f"'{i}'" for i in IDS) + " | (string & {});\n"
        "export interface OutputConfig {\n    effort?: 'low' | 'high' | null;\n}\n",
    "package/resources/messages/messages.js":
        '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
        'const data_1 = require("../../internal/data.js");\n'
        "class Messages {\n    create(body) {\n"
        "        if (body.model in data_1.DEPRECATED_MODELS) {\n"
        "            console.warn(`until ${data_1.DEPRECATED_MODELS[body.model]}`);\n"
        "        }\n    }\n}\nexports.Messages = Messages;\n",
    "package/internal/data.js":
        '"use strict";\nexports.MODELS_TO_WARN = exports.DEPRECATED_MODELS = void 0;\n'
        'var deprecated_models_1 = require("./data/deprecated-models.js");\n'
        'Object.defineProperty(exports, "DEPRECATED_MODELS", { enumerable: true, get: function '
        "() { return deprecated_models_1.DEPRECATED_MODELS; } });\n",
    "package/internal/data/deprecated-models.js":
        '"use strict";\nexports.DEPRECATED_MODELS = void 0;\nexports.DEPRECATED_MODELS = {\n'
        + "".join(f"    '{k}': '{v}',\n" for k, v in MAP.items()) + "};\n",
}
#: @anthropic-ai/sdk 0.33-1.12: the map is a const of messages.js (0.137-1.12 also ship an
#: unused internal/data copy); a multi-line union as a formatter may write it.
TS_RESOURCE = {
    "package/resources/messages/messages.d.ts":
        "export type Model =\n  // the models\n" + "".join(f"  | '{i}'\n" for i in IDS)
        + "  | (string & {});\n",
    "package/resources/messages/messages.js":
        "const DEPRECATED_MODELS = {\n"
        + "".join(f"    '{k}': '{v}',\n" for k, v in MAP.items())
        + "};\nclass Messages {\n    create(body) {\n"
        "        if (body.model in DEPRECATED_MODELS) {}\n    }\n}\n",
    "package/internal/data/deprecated-models.js":
        "exports.DEPRECATED_MODELS = { 'claude-unused': 'June 1st, 2020' };\n",
}
#: @anthropic-ai/sdk 0.27-0.32: resources/messages.d.ts and resources/messages.js.
TS_FLAT = {
    "package/resources/messages.d.ts":
        "export type Model = (string & {}) | " + " | ".join(f"'{i}'" for i in IDS) + ";\n",
    "package/resources/messages.js":
        "const DEPRECATED_MODELS = {\n"
        + "".join(f'    "{k}": "{v}",\n' for k, v in MAP.items()) + "};\n",
}
#: @anthropic-ai/sdk 0.17-0.24: ``model:`` properties of the params interfaces; no map.
TS_PARAMS = {
    "package/resources/messages.d.ts":
        "export interface Message {\n    model: string;\n}\n"
        "export interface MessageCreateParamsBase {\n    max_tokens: number;\n"
        "    model: (string & {}) | 'claude-3-opus-20240229' | \"claude-2.1'\";\n}\n",
    "package/resources/completions.d.ts":
        "export interface CompletionCreateParamsBase {\n"
        "    model: (string & {}) | 'claude-2.1' | 'claude-instant-1';\n}\n",
    "package/resources/messages.js": "class Messages {}\nexports.Messages = Messages;\n",
}


def expected(source: str, files: tuple[str, ...], ids: tuple[str, ...] = IDS,
             pairs: dict[str, str] | None = None) -> ModelCatalogue:
    pairs = MAP if pairs is None else pairs
    return ModelCatalogue(source, ids, tuple(DeprecatedModel(k, v, mod.iso_date(v))
                                             for k, v in pairs.items()), files=files)


@pytest.mark.parametrize(("layout", "files"), [
    (PY_DATA, ("types/model.py", "_data/deprecated_models.py")),
    (PY_RESOURCE, ("types/model.py", "resources/messages/messages.py")),
    (PY_FLAT, ("types/model.py", "resources/messages.py")),
], ids=["2.13+", "0.44-2.12", "0.35-0.40"])
def test_python_layouts(tmp_path: Path, layout: dict[str, str], files: tuple[str, ...]) -> None:
    write(tmp_path, layout)
    found = mod.read_python_sdk(str(tmp_path / "anthropic"), "anthropic 9 at .venv")
    assert found == expected("anthropic 9 at .venv", files)
    assert found.deprecation("claude-x-1") == DeprecatedModel("claude-x-1", "October 22, 2025",
                                                              "2025-10-22")


def test_python_params_layout_and_versions_without_types(tmp_path: Path) -> None:
    write(tmp_path / "a", PY_PARAMS)
    found = mod.read_python_sdk(str(tmp_path / "a" / "anthropic"), "anthropic 0.20.0")
    assert found == ModelCatalogue(
        "anthropic 0.20.0", ("claude-3-opus-20240229", "claude-2.1'", "claude-2.1",
                             "claude-instant-1"),
        files=("types/message_create_params.py", "types/completion_create_params.py"))
    write(tmp_path / "b", PY_NONE)
    found = mod.read_python_sdk(str(tmp_path / "b" / "anthropic"), "anthropic 0.2.10")
    assert found.models == () and found.reason == (
        "no model list in its files (none of types/model.py, types/message_create_params.py, "
        "nor any other)")


def test_python_map_imported_through_a_parenthesised_list_and_absolute_imports(
        tmp_path: Path) -> None:
    layout = dict(PY_DATA)
    layout["anthropic/resources/messages/messages.py"] = (
        "from anthropic._data import (\n    MODELS_TO_WARN,  # a comment\n"
        "    DEPRECATED_MODELS as _DEPRECATED,\n)\n\n" + _uses("_DEPRECATED"))
    layout["anthropic/_data/__init__.py"] = "from . import deprecated_models\n" \
        "from .deprecated_models import (\n    DEPRECATED_MODELS,\n)\n"
    write(tmp_path, layout)
    found = mod.read_python_sdk(str(tmp_path / "anthropic"), "x")
    assert found.reason is None
    assert {d.model: d.end_of_life for d in found.deprecated} == MAP


def test_python_version_without_a_map(tmp_path: Path) -> None:
    layout = {"anthropic/types/model.py": PY_FLAT["anthropic/types/model.py"],
              "anthropic/resources/messages.py": "class Messages:\n    pass\n"}
    write(tmp_path, layout)
    found = mod.read_python_sdk(str(tmp_path / "anthropic"), "anthropic 0.34.0")
    assert found == ModelCatalogue("anthropic 0.34.0", IDS, files=("types/model.py",))


def test_an_unknown_layout_is_searched(tmp_path: Path) -> None:
    write(tmp_path, {
        "anthropic/types/model.py": PY_DATA["anthropic/types/model.py"],
        "anthropic/lib/a.py": "from .b import DEPRECATED_MODELS\n",
        "anthropic/lib/b.py": PY_DATA["anthropic/_data/deprecated_models.py"],
    })
    found = mod.read_python_sdk(str(tmp_path / "anthropic"), "x")
    assert found.reason is None and found.files == ("types/model.py", "lib/b.py")
    write(tmp_path / "t", {
        "package/types/models.d.ts": "export declare type Model = 'a' | 'b';\n",
        "package/lib/deprecations.js": "export const DEPRECATED_MODELS = { a: 'May 1st, 2026' };\n",
    })
    found = mod.read_node_sdk(str(tmp_path / "t" / "package"), "y")
    assert found == ModelCatalogue("y", ("a", "b"), (DeprecatedModel("a", "May 1st, 2026",
                                                                     "2026-05-01"),),
                                   files=("types/models.d.ts", "lib/deprecations.js"))


@pytest.mark.parametrize(("layout", "files"), [
    (TS_DATA, ("resources/messages/messages.d.ts", "internal/data/deprecated-models.js")),
    (TS_RESOURCE, ("resources/messages/messages.d.ts", "resources/messages/messages.js")),
    (TS_FLAT, ("resources/messages.d.ts", "resources/messages.js")),
], ids=["1.13+", "0.33-1.12", "0.27-0.32"])
def test_node_layouts(tmp_path: Path, layout: dict[str, str], files: tuple[str, ...]) -> None:
    write(tmp_path, layout)
    found = mod.read_node_sdk(str(tmp_path / "package"), "@anthropic-ai/sdk 9")
    assert found == expected("@anthropic-ai/sdk 9", files)


def test_node_params_layout(tmp_path: Path) -> None:
    write(tmp_path, TS_PARAMS)
    found = mod.read_node_sdk(str(tmp_path / "package"), "@anthropic-ai/sdk 0.17.2")
    assert found == ModelCatalogue(
        "@anthropic-ai/sdk 0.17.2", ("claude-3-opus-20240229", "claude-2.1'", "claude-2.1",
                                     "claude-instant-1"),
        files=("resources/messages.d.ts", "resources/completions.d.ts"))


# --------------------------------------------------------------------------- the real SDK


def _installed_anthropic() -> str | None:
    try:
        spec = importlib.util.find_spec("anthropic")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return locations[0] if locations else None


@pytest.mark.skipif(_installed_anthropic() is None, reason="anthropic is not installed")
def test_agrees_with_the_installed_sdk_s_own_objects() -> None:
    """What the imported SDK holds: ``typing.get_args`` of its ``Model`` and the dict its
    messages resource warns from."""
    package = _installed_anthropic()
    assert package is not None
    try:
        import anthropic
        from anthropic.resources.messages import messages as resource
    except Exception as exc:  # an SDK that does not import here
        pytest.skip(f"anthropic does not import here: {exc}")

    def literals(t: object) -> list[str]:
        if typing.get_origin(t) is typing.Literal:
            return [a for a in typing.get_args(t) if isinstance(a, str)]
        return [s for a in typing.get_args(t) for s in literals(a)]

    found = mod.read_python_sdk(package, f"anthropic {anthropic.__version__}")
    assert found.reason is None
    assert list(found.models) == literals(anthropic.types.Model)
    live = getattr(resource, "DEPRECATED_MODELS")  # noqa: B009 - imported there, not exported
    assert {d.model: d.end_of_life for d in found.deprecated} == dict(live)
    assert all(d.date is not None for d in found.deprecated)
    if anthropic.__version__ == "2.17.0":  # the release the bundled catalogue was taken from
        bundled = mod.bundled()
        assert bundled.models[:len(found.models)] == found.models
        assert all(bundled.deprecation(d.model) == d for d in found.deprecated)


@pytest.mark.skipif(_installed_anthropic() is None, reason="anthropic is not installed")
def test_the_collector_reads_the_installed_sdk(tmp_path: Path) -> None:
    """A project venv whose site-packages links the real package (``dist-info`` and folder)."""
    package = _installed_anthropic()
    assert package is not None
    site = os.path.dirname(package)
    infos = [e for e in os.listdir(site) if re.fullmatch(r"anthropic-[^-]+\.dist-info", e)]
    if len(infos) != 1:
        pytest.skip("no single anthropic dist-info beside the package")
    env = tmp_path / ".venv"
    target = env / "lib" / "python3.11" / "site-packages"
    target.mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("version = 3.11.7\n")
    (target / "anthropic").symlink_to(package)
    (target / infos[0]).symlink_to(os.path.join(site, infos[0]))
    (envs,) = [f for f in collector.PythonEnvsCollector().collect(CollectOptions(str(tmp_path)))
               if isinstance(f, PythonEnvironment)]
    version = envs.package("anthropic").version  # type: ignore[union-attr]
    assert envs.models == mod.read_python_sdk(str(target / "anthropic"),
                                              f"anthropic {version} at .venv")
    assert envs.models is not None and envs.models.reason is None
    assert mod.catalogue_for(Snapshot(str(tmp_path), python_envs=(envs,))) is envs.models


# --------------------------------------------------------------------------- collectors, picking


def _venv(root: Path, layout: dict[str, str] | None, version: str = "2.13.0") -> Path:
    env = root / ".venv"
    site = env / "lib" / "python3.12" / "site-packages"
    info = site / f"anthropic-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.3\nName: anthropic\nVersion: {version}\n")
    (env / "pyvenv.cfg").write_text("version = 3.12.4\n")
    if layout is not None:
        write(site, layout)
    return env


def test_collectors_fill_the_catalogue_only_where_the_sdk_is(tmp_path: Path) -> None:
    root = tmp_path / "app"
    _venv(root, PY_DATA)
    write(root, {"package.json": '{"name": "app"}',
                 "web/package.json": '{"name": "web"}',
                 "web/node_modules/dotenv/package.json": '{"name": "dotenv", "version": "17.0.0"}',
                 "node_modules/@anthropic-ai/sdk/package.json":
                     '{"name": "@anthropic-ai/sdk", "version": "1.17.0"}',
                 "node_modules/x/node_modules/@anthropic-ai/sdk/package.json":
                     '{"name": "@anthropic-ai/sdk", "version": "0.20.0"}'})
    write(root / "node_modules" / "@anthropic-ai" / "sdk", {
        k.removeprefix("package/"): v for k, v in TS_DATA.items()})
    opts = CollectOptions(str(root), package_folders=("", "web"))
    (env,) = [f for f in collector.PythonEnvsCollector().collect(opts)
              if isinstance(f, PythonEnvironment)]
    assert env.models == expected("anthropic 2.13.0 at .venv",
                                  ("types/model.py", "_data/deprecated_models.py"))
    modules = [f for f in collector.NodeModulesCollector().collect(opts)
               if isinstance(f, NodeModules)]
    assert [(m.folder, m.models and m.models.source) for m in modules] == [
        (".", "@anthropic-ai/sdk 1.17.0 at node_modules"), ("web", None)]
    assert modules[0].models == expected(
        "@anthropic-ai/sdk 1.17.0 at node_modules",
        ("resources/messages/messages.d.ts", "internal/data/deprecated-models.js"))


def test_no_sdk_means_no_catalogue_and_a_missing_package_folder_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "app"
    _venv(root, None, "0.40.0")  # the dist-info alone: the package folder is not there
    (env,) = [f for f in collector.PythonEnvsCollector().collect(CollectOptions(str(root)))
              if isinstance(f, PythonEnvironment)]
    assert env.models == ModelCatalogue("anthropic 0.40.0 at .venv", reason=(
        "its package folder is not there (an editable install, or a partial copy)"))
    picked = mod.catalogue_for(Snapshot(str(root), python_envs=(env,)))
    assert picked == mod.bundled()._replace(
        reason="anthropic 0.40.0 at .venv: its package folder is not there (an editable "
               "install, or a partial copy)")
    plain = PythonEnvironment(".venv", "x", "3.12", (Package("httpx", "0.28.1", "p"),))
    assert plain.models is None
    assert mod.catalogue_for(Snapshot(str(root), python_envs=(plain,))).reason == (
        "no Anthropic SDK is installed in the app's environments")


def test_egg_link_installs_are_followed(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    project = write(tmp_path / "src", PY_FLAT)
    (site / "anthropic.egg-link").write_text(f"{project}\n.\n")
    assert mod.python_package(str(site / "anthropic.egg-link")) == str(project / "anthropic")
    assert mod.python_package(str(site / "anthropic-1.0.dist-info")) == str(site / "anthropic")


def test_picking_and_merging() -> None:
    broken = ModelCatalogue("anthropic 9 at venv", reason="types/model.py: binary, not source")
    sdk = ModelCatalogue("@anthropic-ai/sdk 1 at node_modules", ("claude-new", "claude-2.0"),
                         (DeprecatedModel("claude-2.0", "July 1st, 2099", "2099-07-01"),))
    snap = Snapshot("/r", python_envs=(PythonEnvironment("venv", "o", None, models=broken),),
                    node_modules=(NodeModules(".", models=sdk),))
    assert mod.catalogue_for(snap) is sdk
    both = mod.merged(sdk, mod.bundled())
    assert both.source == ("@anthropic-ai/sdk 1 at node_modules, completed by the bundled "
                           "catalogue of 2026-12-06")
    assert both.models[:2] == ("claude-new", "claude-2.0")
    assert both.deprecation("claude-2.0") == sdk.deprecated[0]      # the SDK's date wins
    assert both.deprecation("claude-1.3") == DeprecatedModel(
        "claude-1.3", "November 6th, 2024", "2024-11-06")            # kept from the bundle
    assert both.knows("claude-3-opus-latest") and not both.knows("claude-opus-9")
    assert mod.merged(mod.bundled(), mod.bundled()) == mod.bundled()


def test_the_bundled_catalogue() -> None:
    bundled = mod.bundled()
    assert bundled is mod.bundled()  # loaded once
    assert re.fullmatch(r"bundled catalogue of \d{4}-\d{2}-\d{2}", bundled.source)
    assert len(set(bundled.models)) == len(bundled.models) >= 40
    assert all(re.fullmatch(r"claude-[a-z0-9.-]+", m) for m in bundled.models)
    assert all(d.model in bundled.models and d.date for d in bundled.deprecated)
    assert all(a in bundled.models and t in bundled.models and re.search(r"-\d{8}$", t)
               for a, t in bundled.aliases)
    # the dates the SDKs warn with, as sdk-facts.md recorded them
    assert bundled.deprecation("claude-3-opus-20240229") == DeprecatedModel(
        "claude-3-opus-20240229", "January 5th, 2026", "2026-01-05")
    assert bundled.deprecation("claude-sonnet-4-5-20250929").date == "2026-11-30"  # type: ignore[union-attr]
    assert dict(bundled.aliases)["claude-opus-4-0"] == "claude-opus-4-20250514"


# --------------------------------------------------------------------------- bad input


def _break(layout: dict[str, str], rel: str, content: str | bytes | None) -> dict[str, object]:
    out: dict[str, object] = dict(layout)
    out[rel] = content
    return out


def _write_any(root: Path, files: dict[str, object]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content == "<fifo>":
            os.mkfifo(path)
        elif content == "<folder>":
            path.mkdir()
        else:
            path.write_text(str(content))


MODEL = "anthropic/types/model.py"
DATA = "anthropic/_data/deprecated_models.py"
RESOURCE = "anthropic/resources/messages/messages.py"


@pytest.mark.parametrize(("files", "reason"), [
    (_break(PY_DATA, MODEL, "Model: TypeAlias = Union[Literal['a',\n"),
     "types/model.py: a syntax error at line 1"),
    (_break(PY_DATA, MODEL, b"\x00\x01binary" * 10), "types/model.py: binary, not source"),
    (_break(PY_DATA, MODEL, b"Model = '\xff\xfe'\n"), "types/model.py: not UTF-8 text"),
    (_break(PY_DATA, MODEL, "#" * (mod.MAX_PARSED_BYTES + 1)),
     "types/model.py: larger than 256 KiB"),
    (_break(PY_DATA, MODEL, "<fifo>"), "types/model.py: not a regular file"),
    (_break(PY_DATA, MODEL, "<folder>"), "types/model.py: not a regular file"),
    (_break(PY_DATA, MODEL, "from typing import Union\nModel = str\n"),
     "types/model.py: Model lists no model ID"),
    (_break(PY_DATA, MODEL, "(" * 500 + "\n"), "types/model.py: a syntax error at line 1"),
    (_break(PY_DATA, DATA, "DEPRECATED_MODELS: Dict[str, str] = {\n    'a': 'b',\n"),
     "_data/deprecated_models.py: cannot parse the statement at line 1"),
    (_break(PY_DATA, DATA, "DEPRECATED_MODELS = dict(a='b')\n"),
     "_data/deprecated_models.py: DEPRECATED_MODELS is not a literal dict"),
    (_break(PY_DATA, DATA, "DEPRECATED_MODELS = {'a': 1}\n"),
     "_data/deprecated_models.py: DEPRECATED_MODELS holds an entry that is not a string pair"),
    (_break(PY_DATA, DATA, "DEPRECATED_MODELS = {**OTHER}\n"),
     "_data/deprecated_models.py: DEPRECATED_MODELS holds an entry that is not a string pair"),
    (_break(PY_DATA, DATA, None), "_data/deprecated_models.py: missing (imported for "
                                  "DEPRECATED_MODELS)"),
    (_break(PY_DATA, DATA, "from .x import DEPRECATED_MODELS\n"),
     "_data/x.py: missing (imported for DEPRECATED_MODELS)"),
    (_break(PY_DATA, DATA, "from . import DEPRECATED_MODELS\n"),  # a cycle
     "DEPRECATED_MODELS: more than 4 imports deep"),
    (_break(PY_DATA, RESOURCE, "from openai import DEPRECATED_MODELS\n"),
     "resources/messages/messages.py: imports DEPRECATED_MODELS from outside the package"),
    (_break(PY_DATA, RESOURCE, "from ...... import DEPRECATED_MODELS\n"),
     "resources/messages/messages.py: imports DEPRECATED_MODELS from outside the package"),
    (_break(PY_DATA, RESOURCE, "x" * (mod.MAX_SOURCE_BYTES + 1)),
     "resources/messages/messages.py: larger than 4096 KiB"),
], ids=["syntax", "binary", "not-utf8", "huge", "fifo", "folder", "no-literal", "nesting",
        "map-unterminated", "map-call", "map-int", "map-spread", "data-missing",
        "import-missing", "import-cycle", "import-outside", "import-too-high", "huge-resource"])
def test_bad_python_files_give_the_bundled_catalogue_and_the_reason(
        tmp_path: Path, files: dict[str, object], reason: str) -> None:
    root = tmp_path / "app"
    _write_any(root / ".venv" / "lib" / "python3.12" / "site-packages", files)
    env = _venv(root, {})
    (found,) = [f for f in collector.PythonEnvsCollector().collect(CollectOptions(str(root)))
                if isinstance(f, PythonEnvironment)]
    assert found.models == ModelCatalogue("anthropic 2.13.0 at .venv", reason=reason)
    picked = mod.catalogue_for(Snapshot(str(root), python_envs=(found,)))
    assert picked.source == mod.bundled().source
    assert picked.reason == f"anthropic 2.13.0 at .venv: {reason}"
    assert env.is_dir()


DTS = "package/resources/messages/messages.d.ts"
JS_DATA = "package/internal/data/deprecated-models.js"


@pytest.mark.parametrize(("files", "reason"), [
    (_break(TS_DATA, DTS, "export type Model = 'a' | 'b'"),
     "resources/messages/messages.d.ts: type Model: a type that does not end"),
    (_break(TS_DATA, DTS, "export type Model = 'a | 'b';\n"),
     "resources/messages/messages.d.ts: type Model: an unterminated string"),
    (_break(TS_DATA, DTS, "export type Model = string;\n"),
     "resources/messages/messages.d.ts: type Model lists no model ID"),
    (_break(TS_DATA, DTS, b"\x00" * 64), "resources/messages/messages.d.ts: binary, not source"),
    (_break(TS_DATA, JS_DATA, "exports.DEPRECATED_MODELS = { 'a': 1 };\n"),
     "internal/data/deprecated-models.js: DEPRECATED_MODELS holds an entry that is not a "
     "string pair"),
    (_break(TS_DATA, JS_DATA, "exports.DEPRECATED_MODELS = { 'a': 'b',\n"),
     "internal/data/deprecated-models.js: DEPRECATED_MODELS does not end"),
    (_break(TS_DATA, JS_DATA, "var x_1 = require('../data.js');\n"
            "exports.get = () => x_1.DEPRECATED_MODELS;\n"),
     "DEPRECATED_MODELS: more than 4 requires deep"),
    (_break(TS_DATA, "package/internal/data.js", "const d = require('../../../other');\n"
            "d.DEPRECATED_MODELS;\n"),
     "internal/data.js: takes DEPRECATED_MODELS from outside the package"),
    (_break(TS_DATA, JS_DATA, None),
     "internal/data/deprecated-models.js: missing (required for DEPRECATED_MODELS)"),
], ids=["unterminated-type", "unterminated-string", "no-literal", "binary", "map-int",
        "map-unterminated", "require-cycle", "require-outside", "require-missing"])
def test_bad_node_files_give_a_reason(tmp_path: Path, files: dict[str, object],
                                      reason: str) -> None:
    _write_any(tmp_path, files)
    found = mod.read_node_sdk(str(tmp_path / "package"), "s")
    assert found == ModelCatalogue("s", reason=reason)


# --------------------------------------------------------------------------- properties

FRAGMENTS = st.sampled_from([
    "DEPRECATED_MODELS", " = ", ": Dict[str, str] = ", "{", "}", "'a'", '"b"', ": ", ", ", "\n",
    "    ", "from ", " import ", "(", ")", ".", "..", "_data", " as ", "Model", "TypeAlias",
    "Literal[", "]", "Union[", "str", "class X:\n    model: ", "export type Model = ", " | ",
    "(string & {})", ";", "exports.", "const ", "require(", "'./x.js'", "data_1.", "/*", "*/",
    "//", "`", "\\", "\\u00e9", "\x00", "#", "type Model", "    model?: ", "=", "\r\n",
])
SOURCE_TEXT = st.one_of(st.text(max_size=300),
                        st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)),
                                 max_size=60).map("".join))
PARSERS = [mod.python_model_ids, mod.python_param_model_ids, mod.python_deprecated,
           mod.ts_model_ids, mod.ts_param_model_ids, mod.js_deprecated, mod.iso_date]


@settings(max_examples=300, deadline=None)
@given(text=SOURCE_TEXT)
def test_the_parsers_never_raise(text: str) -> None:
    for parse in PARSERS:
        found = parse(text)
        assert found is None or isinstance(found, (str, tuple, dict))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(SOURCE_TEXT, min_size=4, max_size=4))
def test_the_readers_never_raise_on_arbitrary_files(texts: list[str]) -> None:
    python = ["anthropic/types/model.py", "anthropic/resources/messages/messages.py",
              "anthropic/_data/__init__.py", "anthropic/_data/deprecated_models.py"]
    node = ["package/resources/messages/messages.d.ts", "package/resources/messages/messages.js",
            "package/internal/data.js", "package/internal/data/deprecated-models.js"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, {**dict(zip(python, texts)), **dict(zip(node, texts))})
        for found in (mod.read_python_sdk(str(root / "anthropic"), "p"),
                      mod.read_node_sdk(str(root / "package"), "n")):
            assert (found.reason is None) == bool(found.models)


IDENT = st.from_regex(r"claude-[a-z0-9][a-z0-9.-]{0,20}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(IDENT, min_size=1, max_size=8, unique=True),
       dates=st.lists(st.dates(min_value=datetime.date(1900, 1, 1)).map(
           lambda d: f"{d:%B} {d.day}th, {d.year}"), min_size=1,
                      max_size=8),
       style=st.integers(0, 3))
def test_what_is_written_is_read_back(ids: list[str], dates: list[str], style: int) -> None:
    """Each layout's statement shapes, in several formattings, give back the IDs and map."""
    pairs = dict(zip(ids, dates))
    literal = ", ".join(repr(i) for i in ids)
    python_model = [f"Model: TypeAlias = Union[Literal[{literal}], str]\n",
                    f"Model = Union[str, Literal[\n    {literal},\n]]\n",
                    f"from x import y\n\nModel: TypeAlias = Union[\n    Literal[{literal}],\n"
                    "    str,\n]\n",
                    f"Model = typing_extensions.Literal[{literal}]\n"][style]
    assert mod.python_model_ids(python_model) == tuple(ids)
    body = ",\n".join(f"    {k!r}: {v!r}" for k, v in pairs.items())
    python_map = [f"DEPRECATED_MODELS = {{\n{body}\n}}\n",
                  f"import x\n\nDEPRECATED_MODELS: Dict[str, str] = {{\n{body},\n}}\n\ny = 1\n",
                  "DEPRECATED_MODELS = {" + ", ".join(f"{k!r}: {v!r}" for k, v in pairs.items())
                  + "}\n",
                  f"class A:\n    pass\n\n\nDEPRECATED_MODELS = {{\n# note\n{body}\n}}\n"][style]
    assert mod.python_deprecated(python_map) == pairs
    union = " | ".join(f"'{i}'" for i in ids)
    ts = [f"export type Model = {union} | (string & {{}});\n",
          f"type Model = (string & {{}}) | {union};\n",
          "export type Model =\n" + "".join(f"  | '{i}'\n" for i in ids) + "  | (string & {});\n",
          f"export declare type Model = /* c */ {union};\n"][style]
    assert mod.ts_model_ids(ts) == tuple(ids)
    js_body = ",\n".join(f"    '{k}': '{v}'" for k, v in pairs.items())
    js = [f"const DEPRECATED_MODELS = {{\n{js_body}\n}};\n",
          f"exports.DEPRECATED_MODELS = void 0;\nexports.DEPRECATED_MODELS = {{\n{js_body},\n}};\n",
          f"export const DEPRECATED_MODELS = {{ {js_body} }};\n",
          f"x;const DEPRECATED_MODELS={{\n// c\n{js_body}\n}};\n"][style]
    assert mod.js_deprecated(js) == pairs
    assert all(mod.iso_date(d) is not None for d in dates)


@pytest.mark.parametrize(("text", "iso"), [
    ("November 6th, 2024", "2024-11-06"), ("October 22, 2025", "2025-10-22"),
    ("January 22nd, 2027", "2027-01-22"), ("Feb 29, 2024", "2024-02-29"),
    ("Feb 29, 2025", None), ("June 31st, 2026", None), ("2026-06-30", "2026-06-30"),
    ("sometime in 2026", None), ("", None),
])
def test_iso_date(text: str, iso: str | None) -> None:
    assert mod.iso_date(text) == iso
