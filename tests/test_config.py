"""``[tool.envaudit]`` in pyproject.toml, ``envaudit.toml`` and ``--config FILE``."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit.config import Config, load
from envaudit.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_gives_defaults(tmp_path: Path) -> None:
    assert load(str(tmp_path)) == Config()


def test_pyproject_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", """
[project]
name = "app"
[tool.envaudit]
select = ["EA1", "dotenv-invalid-line"]
ignore = ["EA113"]
fail-on = "warning"
env-files = ["deploy/prod.env", "/etc/app.env"]
""")
    conf = load(str(tmp_path))
    assert conf.select == ("EA1", "dotenv-invalid-line")
    assert conf.ignore == ("EA113",)
    assert conf.fail_on == "warning"
    assert conf.env_files == (str(tmp_path / "deploy" / "prod.env"), "/etc/app.env")
    assert conf.source == str(tmp_path / "pyproject.toml")


def test_comma_separated_strings_are_accepted(tmp_path: Path) -> None:
    write(tmp_path / "envaudit.toml", 'select = "EA101, EA205"\n')
    assert load(str(tmp_path)).select == ("EA101", "EA205")


def test_pyproject_without_the_table_falls_back_to_envaudit_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\n')
    write(tmp_path / "envaudit.toml", 'fail-on = "never"\n')
    conf = load(str(tmp_path))
    assert conf.fail_on == "never" and conf.source == str(tmp_path / "envaudit.toml")


def test_pyproject_table_wins_over_envaudit_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.envaudit]\nfail-on = "info"\n')
    write(tmp_path / "envaudit.toml", 'fail-on = "never"\n')
    assert load(str(tmp_path)).fail_on == "info"


def test_explicit_config_file(tmp_path: Path) -> None:
    other = tmp_path / "conf"
    other.mkdir()
    write(other / "ci.toml", 'ignore = ["EA205"]\nenv-files = ["x.env"]\n')
    write(tmp_path / "pyproject.toml", '[tool.envaudit]\nfail-on = "info"\n')
    conf = load(str(tmp_path), str(other / "ci.toml"))
    assert conf.ignore == ("EA205",) and conf.fail_on is None
    assert conf.env_files == (str(other / "x.env"),)
    write(other / "pyproject.toml", '[tool.envaudit]\nselect = ["EA103"]\n')
    assert load(str(tmp_path), str(other / "pyproject.toml")).select == ("EA103",)


@pytest.mark.parametrize("name, text, message", [
    ("pyproject.toml", "[tool.envaudit\nselect = 1\n", "not valid TOML"),
    ("envaudit.toml", "select = [\n", "not valid TOML"),
    ("pyproject.toml", '[tool.envaudit]\nfail_on = "error"\n',
     "unknown key(s) fail_on in [tool.envaudit] (known: env-files, fail-on, ignore, "
     "max-tokens-variables, model-variables, select, stale-days, stale-releases)"),
    ("pyproject.toml", '[tool.envaudit]\nfail-on = "high"\n',
     "'fail-on' must be one of error, warning, info, never"),
    ("pyproject.toml", "[tool.envaudit]\nselect = [1, 2]\n", "'select' must be a list of strings"),
    ("pyproject.toml", "[tool]\nenvaudit = 3\n", "[tool.envaudit] must be a table"),
    ("envaudit.toml", "env-files = 3\n", "'env-files' must be a list of strings"),
    ("envaudit.toml", "model-variables = 3\n", "'model-variables' must be a list of strings"),
    ("envaudit.toml", 'max-tokens-variables = ["A B"]\n',
     "'max-tokens-variables' holds 'A B', not a variable name"),
])
def test_malformed_config_is_one_line(tmp_path: Path, name: str, text: str,
                                      message: str) -> None:
    write(tmp_path / name, text)
    with pytest.raises(ConfigError) as err:
        load(str(tmp_path))
    assert str(err.value).startswith(f"{tmp_path / name}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_invalid_utf8_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.envaudit]\nselect = ["\xff"]\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(str(tmp_path))


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load(str(tmp_path), str(tmp_path / "nope.toml"))


def test_model_and_max_tokens_variables(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", """
[tool.envaudit]
model-variables = ["SUMMARY_MODEL", "ANTHROPIC_MODEL", "SUMMARY_MODEL"]
max-tokens-variables = "SUMMARY_MAX_TOKENS, ANTHROPIC_MAX_TOKENS"
""")
    conf = load(str(tmp_path))
    assert conf.model_variables == ("SUMMARY_MODEL", "ANTHROPIC_MODEL")
    assert conf.max_tokens_variables == ("SUMMARY_MAX_TOKENS", "ANTHROPIC_MAX_TOKENS")


def test_model_variables_absent_means_the_defaults(tmp_path: Path) -> None:
    write(tmp_path / "envaudit.toml", "model-variables = []\n")
    conf = load(str(tmp_path))
    assert conf.model_variables == () and conf.max_tokens_variables is None
