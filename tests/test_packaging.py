"""The wheel that cloud workers and containers install holds every package of the source tree."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "pipelines").rglob("__init__.py")
    }
    assert found <= listed, f"missing from pyproject.toml packages: {sorted(found - listed)}"
