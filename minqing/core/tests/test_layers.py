"""The import direction holds for templates too: an app's templates include only its own layer or lower.

Python imports are checked by import-linter (``lint-imports`` in ``make lint``) against the layers in
pyproject.toml; this test reads the same list, so there is one statement of the direction.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "minqing" / "templates"
TAG = re.compile(r"\{%\s*(?:include|extends)\s+[\"']([a-z_]+)/")


def layer_ranks() -> dict[str, int]:
    """App name → its height: 0 for core, higher for apps above it."""
    config = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    ranks: dict[str, int] = {}
    for height, layer in enumerate(reversed(layers)):
        for name in re.split(r"[|:]", layer):
            ranks[name.strip().strip("()")] = height  # "(visits)": an optional layer (import-linter)
    return ranks


def test_every_template_folder_belongs_to_a_layer():
    ranks = layer_ranks()
    folders = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}
    assert folders <= set(ranks), f"template folders without a layer: {sorted(folders - set(ranks))}"


def test_templates_include_only_their_own_layer_or_below():
    ranks = layer_ranks()
    wrong = []
    for path in sorted(TEMPLATES.glob("*/**/*.html")):
        app = path.relative_to(TEMPLATES).parts[0]
        for target in TAG.findall(path.read_text()):
            if ranks[target] > ranks[app]:
                wrong.append(f"{path.relative_to(TEMPLATES)} includes {target}/")
    assert not wrong, "templates that reach upwards:\n" + "\n".join(wrong)


def test_the_check_can_fail():
    """The pattern finds includes, and a registry template including search/ would be caught."""
    assert TAG.findall('{% include "search/_x.html" with a=b %}') == ["search"]
    ranks = layer_ranks()
    assert ranks["search"] > ranks["registry"] > ranks["core"]
