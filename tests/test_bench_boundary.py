"""The bench is a development app: no production module may import it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Everything but the bench itself, the tests and the tools around the code.
SKIPPED = {"bench", "tests", ".venv", "var", "static", "locale", "node_modules", "scripts"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in SKIPPED and "migrations" not in relative.parts:
            yield relative, path


def test_no_production_module_imports_the_bench():
    offenders = [
        f"{relative}: {name}"
        for relative, path in production_modules()
        for name in imported_modules(path)
        if name == "bench" or name.startswith("bench.")
    ]

    assert offenders == []


def test_the_production_packages_hold_no_bench_module():
    leftovers = [str(relative) for relative, path in production_modules() if path.stem == "bench"]

    assert leftovers == []
