"""The strict TOML config: unknown keys and wrong types are errors naming the key; docs in sync."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from fleetscope.cli import cli
from fleetscope.config import Config, describe, load_config, parse_config
from fleetscope.errors import ConfigError
from fleetscope.ops import configdoc

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("raw", "message"), [
    ({"pricng": {}}, "unknown key 'pricng'"),
    ({"pricing": {"cpu_per_core": 1.0}}, "unknown key 'pricing.cpu_per_core'"),
    ({"kubernetes": {"contexts": [{"context": "a", "clustr": "b"}]}},
     "unknown key 'kubernetes.contexts[0].clustr'"),
    ({"kubernetes": {"files": [{"path": "x.json", "cluster": "a", "when": "z"}]}},
     "unknown key 'kubernetes.files[0].when'"),
    ({"pricing": {"instance_types": {"m5.xlarge": {"hourly": 0.19, "spot": 0.05}}}},
     "unknown key 'pricing.instance_types.m5.xlarge.spot'"),
    ({"prometheus": {"metrics": {"cpu": "x"}}}, "unknown key 'prometheus.metrics.cpu'"),
])
def test_unknown_key_is_named(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(raw, source="f.toml")


@pytest.mark.parametrize(("raw", "message"), [
    ({"pricing": {"cpu_per_core_hour": "cheap"}},
     "pricing.cpu_per_core_hour: expected a number, got 'cheap'"),
    ({"pricing": {"cpu_per_core_hour": True}},
     "pricing.cpu_per_core_hour: expected a number, got True"),
    ({"kubernetes": {"page_size": 1.5}}, "kubernetes.page_size: expected an integer, got 1.5"),
    ({"kubernetes": {"in_cluster": "yes"}},
     "kubernetes.in_cluster: expected true or false, got 'yes'"),
    ({"ownership": {"team_label_keys": "team"}},
     "ownership.team_label_keys: expected a list, got 'team'"),
    ({"ownership": {"team_label_keys": ["team", 3]}},
     r"ownership.team_label_keys\[1\]: expected a string, got 3"),
    ({"prometheus": {"sources": [{"url": "http://p:9090"}]}},
     r"missing required key 'prometheus.sources\[0\].cluster'"),
    ({"pricing": 3}, "pricing: expected a table"),
    ({"run": {"lock_timeout_seconds": "10m"}},
     "run.lock_timeout_seconds: expected a number, got '10m'"),
])
def test_wrong_type_is_named(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw, source="f.toml")


def test_integers_are_accepted_for_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[pricing]\ncpu_per_core_hour = 1\n[validate]\nmax_unallocated_share_pct = 5\n'
                    '[[kubernetes.files]]\npath = "a/*.json"\ncluster = "prod"\n')
    config = load_config(path)
    assert config.pricing.cpu_per_core_hour == 1.0
    assert isinstance(config.pricing.cpu_per_core_hour, float)
    assert config.validate.max_unallocated_share_pct == 5.0
    assert config.kubernetes.files[0].cluster == "prod"
    assert config.kubernetes.files[0].collected_at is None


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[pricing]\ncurrency = "USD"\ncpu_per_core_hour = = 2\n')
    with pytest.raises(ConfigError, match=r"broken\.toml: invalid TOML: .*line 3"):
        load_config(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path / "nope.toml")


def test_cli_prints_error_and_exits_2(tmp_path: Path, cli_runner) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[reports]\nworkers = 'two'\n")
    result = cli_runner.invoke(cli, ["--config", str(path), "--warehouse",
                                     str(tmp_path / "w.duckdb"), "run"])
    assert result.exit_code == 2
    assert f"Error: {path}: reports.workers: expected an integer, got 'two'" in result.output


def test_every_key_has_documentation() -> None:
    undocumented = [key for key, _type, _default, doc in describe() if not doc.strip()]
    assert undocumented == []


def test_every_leaf_type_is_supported() -> None:
    # A field of a type `_coerce` cannot check would only fail when a user sets it.
    allowed = {str, int, float, bool}

    def leaves(cls: type) -> typing.Iterator[tuple[str, object]]:
        for f in dataclasses.fields(cls):
            hint = typing.get_type_hints(cls)[f.name]
            for arg in (typing.get_args(hint) or (hint,)):
                if dataclasses.is_dataclass(arg):
                    yield from leaves(arg)
                elif arg is not type(None) and arg not in allowed:
                    yield from ((f.name, a) for a in typing.get_args(arg) or (arg,)
                                if not (dataclasses.is_dataclass(a) or a in allowed))

    assert list(leaves(Config)) == []


def test_configuration_doc_is_in_sync() -> None:
    on_disk = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert on_disk == configdoc.render(), (
        "docs/configuration.md is stale: run "
        "`python -m fleetscope.ops.configdoc > docs/configuration.md`")


def test_every_key_appears_in_the_doc() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key, *_ in describe():
        assert f"| `{key}` |" in text


def test_examples_in_the_doc_are_valid_config() -> None:
    import re
    import tomllib

    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 2
    for block in blocks:
        parse_config(tomllib.loads(block), source="docs/configuration.md")
