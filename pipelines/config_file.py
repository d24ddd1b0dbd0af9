"""`--config FILE`: the tuning knobs of PipelineConfig from a TOML file.

One table per stage config, keys as the dataclass fields, for example:

    [read]
    max_article_bytes = 20_971_520
    [dedup]
    min_containment = 0.15
    [language]
    min_confidence = 0.5

Unknown tables or keys, wrong types and out-of-range values raise ConfigFileError naming the
file and the key (`dedup.min_containment`); nothing is silently ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Mapping
from typing import Any

from pipelines.config import PipelineConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigFileError(ValueError):
    """A config file that cannot be read or does not fit PipelineConfig."""


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_type(key: str, value: Any, default: Any) -> Any:
    """The value if it has the default's type (an int is fine where a float is expected)."""
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    raise ConfigFileError(
        f"{key} must be {expected.__name__}, not {type(value).__name__} ({value!r})"
    )


def config_from_mapping(
    data: Mapping[str, Any], base: PipelineConfig | None = None
) -> PipelineConfig:
    """PipelineConfig with the tables of `data` applied over `base` (defaults when None)."""
    base = base or PipelineConfig()
    sections = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    changed: dict[str, Any] = {}
    for section, values in data.items():
        if section not in sections:
            raise ConfigFileError(
                f"unknown table [{section}]{_suggest(section, list(sections))}; "
                f"tables: {', '.join(sections)}"
            )
        if not isinstance(values, Mapping):
            raise ConfigFileError(f"{section} must be a table ([{section}]), not a value")
        current = sections[section]
        fields = {f.name: getattr(current, f.name) for f in dataclasses.fields(current)}
        updates = {}
        for key, value in values.items():
            if key not in fields:
                raise ConfigFileError(f"unknown key {section}.{key}{_suggest(key, list(fields))}")
            updates[key] = _check_type(f"{section}.{key}", value, fields[key])
        try:
            changed[section] = dataclasses.replace(current, **updates)
        except (ValueError, TypeError) as exc:
            raise ConfigFileError(f"[{section}] {exc}") from None
    return dataclasses.replace(base, **changed)


def load_config(path: str) -> tuple[PipelineConfig, dict[str, Any]]:
    """(config, the file's raw tables) from a TOML file; raises ConfigFileError naming `path`."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigFileError(f"config {path!r}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"config {path!r}: not valid TOML: {exc}") from None
    try:
        return config_from_mapping(data), data
    except ConfigFileError as exc:
        raise ConfigFileError(f"config {path!r}: {exc}") from None
