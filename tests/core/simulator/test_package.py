"""The simulator talks to the shop only over HTTP: no Django, no Saleor, no plugin
internals beyond the standalone OCI codec and the shared web-app helpers."""

import ast
import sys
from pathlib import Path

import pytest

import saleor_oci_plugin.simulator as simulator
import saleor_oci_plugin.webapp as webapp

MODULES = sorted(Path(simulator.__file__).parent.glob("*.py"))
WEBAPP_MODULES = sorted(Path(webapp.__file__).parent.glob("*.py"))
ALLOWED_THIRD_PARTY = {"lxml"}


def is_allowed_plugin_module(module: str) -> bool:
    """The OCI codec and the shared web-app helpers: neither needs Django or Saleor."""
    return module == "saleor_oci_plugin.oci" or module.startswith(
        "saleor_oci_plugin.webapp."
    )


def absolute_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def test_the_package_has_its_modules():
    assert {path.stem for path in MODULES} >= {
        "app",
        "pages",
        "shop",
        "cxml",
        "cli",
        "__main__",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_only_the_stdlib_lxml_and_the_oci_codec(path):
    for module in absolute_imports(path):
        top = module.split(".")[0]
        if top == "saleor_oci_plugin":
            assert is_allowed_plugin_module(module), f"{path.name} imports {module}"
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                f"{path.name} imports {module}"
            )


@pytest.mark.parametrize("path", WEBAPP_MODULES, ids=lambda path: path.name)
def test_shared_webapp_module_imports_only_the_stdlib(path):
    for module in absolute_imports(path):
        top = module.split(".")[0]
        assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
            f"webapp/{path.name} imports {module}"
        )
