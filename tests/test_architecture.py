"""The import contracts of pyproject.toml ([tool.importlinter]) hold: a broken arrow fails the suite,
and so does a module that belongs to no layer (docs/architecture-layers.md)."""

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import axolotly

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def test_import_contracts_are_kept():
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def layer_entries() -> list[list[str]]:
    """The modules named by each layer of the layers contract, top to bottom."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def layers_of(module: str, layers: list[list[str]]) -> list[str]:
    """Every entry (of any layer) that is this module or one of its parent packages."""
    return [entry for layer in layers for entry in layer if module == entry or module.startswith(entry + ".")]


def is_container(package: str) -> bool:
    """A package whose __init__ holds nothing but its docstring: its modules are what is layered."""
    init = Path(importlib.import_module(package).__file__)
    body = ast.parse(init.read_text()).body
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def package_modules() -> list[tuple[str, bool]]:
    """(name, is_package) for axolotly and every module under it."""
    found = [("axolotly", True)]
    for info in pkgutil.walk_packages(axolotly.__path__, "axolotly."):
        found.append((info.name, info.ispkg))
    return found


def test_every_module_belongs_to_exactly_one_layer():
    layers = layer_entries()
    unlayered, twice = [], []
    for module, is_package in package_modules():
        owners = layers_of(module, layers)
        if len(owners) > 1:
            twice.append(f"{module}: {owners}")
        elif not owners and not (is_package and is_container(module)):
            unlayered.append(module)
    assert not unlayered, (
        "modules in no layer of pyproject.toml's layers contract (add each to the layer it "
        f"belongs to, docs/architecture-layers.md): {unlayered}"
    )
    assert not twice, f"modules in more than one layer: {twice}"


def test_the_layer_check_sees_new_and_doubled_modules():
    layers = [["axolotly.web | axolotly.accounts.router"], ["axolotly.accounts.service : axolotly.web.session"]]
    layers = [[name.strip() for name in re.split(r"[|:]", layer)] for [layer] in layers]
    assert layers_of("axolotly.accounts.invitations", layers) == []
    assert layers_of("axolotly.web.session", layers) == ["axolotly.web", "axolotly.web.session"]
    assert layers_of("axolotly.web.pages", layers) == ["axolotly.web"]
    assert layers_of("axolotly.webhooks", layers) == []
    assert not is_container("axolotly.models") and is_container("axolotly.accounts")
