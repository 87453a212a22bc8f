"""Imports run one way: demo → devices, repairs, notifications. The product never imports its demo data."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("app", ["devices", "repairs", "notifications", "config"])
def test_the_product_does_not_import_the_demo_app(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m == "demo" or m.startswith("demo."))
        for path in sorted((ROOT / app).rglob("*.py"))
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from demo.seed import demo_data_seed\n", encoding="utf-8")

    assert "demo.seed" in imported_modules(module)
