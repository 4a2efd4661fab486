"""The codec package stands alone: no Django, no Saleor, only the standard library."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import saleor_oci_plugin.oci as oci

PACKAGE_DIR = Path(oci.__file__).parent
MODULES = sorted(PACKAGE_DIR.glob("*.py"))


def imported_modules(path: Path) -> list[str]:
    """Every absolute module a file imports (relative imports stay in the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
            "__import__",
            "import_module",
        ):
            found.append("<dynamic import>")
    return found


def test_the_package_has_its_modules():
    names = {path.stem for path in MODULES}
    assert {
        "punchin",
        "hook_url",
        "fields",
        "mapping",
        "units",
        "cart",
        "decode",
        "form",
        "background",
        "charsets",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_neither_django_nor_saleor(path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        assert top not in {"django", "saleor", "graphene"}, (
            f"{path.name} imports {module}"
        )
        assert module != "<dynamic import>", f"{path.name} imports dynamically"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_only_the_standard_library(path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        assert top in sys.stdlib_module_names, f"{path.name} imports {module}"


def test_the_scan_sees_a_django_import(tmp_path):
    # The scan itself must catch what it is there to catch.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom django.db import models\nimport saleor.core as core\n"
    )
    tops = {module.split(".")[0] for module in imported_modules(sample)}
    assert {"django", "saleor"} <= tops


def test_importing_the_package_loads_neither_django_nor_saleor():
    code = (
        "import sys, saleor_oci_plugin.oci; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'saleor', 'lxml')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_every_public_name_is_exported():
    for name in oci.__all__:
        assert hasattr(oci, name), name
