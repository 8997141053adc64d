"""Each folder is one layer and imports only point down (STYLE.md, "Layout
shows the architecture"): the ground floor ``xuncha/`` imports no domain app
and no top layer; the domain apps import no top layer; no production module
imports ``django.test``. Read from the source with ``ast``, nothing imported."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUND = "xuncha"
DOMAIN_APPS = (
    "rounds",
    "clues",
    "rectification",
    "fieldwork",
    "crosscheck",
    "checklist",
    "evaluation",
    "archive",
    "intake",
)
# Apps that join the others (大数据比对 reads rounds' and clues' services, the
# archive gathers every app's documents): no app they build on imports them;
# rounds shows them through its registries (links.py, worklog_sources.py, the
# workflow's blockers and the lifecycle's after-advance hooks).
JOINING_APPS = ("crosscheck", "fieldwork", "checklist", "evaluation", "archive", "intake")
TOP = ("portal",)
# Development code, installed only outside production: nothing in production imports it.
DEV = ("demo", "bench")


def _modules(package: str) -> list[Path]:
    return [
        path for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts
    ]


def _imports(path: Path) -> set[str]:
    """Every absolute module name the file imports, at any depth of the code
    (an import inside a function is still an arrow)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _top_package(name: str) -> str:
    return name.split(".")[0]


def _violations(packages, forbidden) -> list[str]:
    found = []
    for package in packages:
        for path in _modules(package):
            for name in sorted(_imports(path)):
                if _top_package(name) in forbidden:
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_the_ground_floor_imports_no_domain_app_and_no_top_layer():
    assert _violations([GROUND], DOMAIN_APPS + TOP + DEV) == []


def test_the_domain_apps_import_no_top_layer():
    assert _violations(DOMAIN_APPS, TOP + DEV) == []


def test_no_other_domain_app_imports_a_joining_app():
    others = [app for app in DOMAIN_APPS if app not in JOINING_APPS]
    assert _violations(others, JOINING_APPS) == []


def test_the_top_layer_imports_no_development_code():
    assert _violations(TOP, DEV) == []


def test_no_production_module_imports_django_test():
    found = []
    for package in (GROUND, *DOMAIN_APPS, "portal"):
        for path in _modules(package):
            found += [
                f"{path.relative_to(ROOT)} imports {name}"
                for name in _imports(path)
                if name == "django.test" or name.startswith("django.test.")
            ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "forbidden", "expected"),
    [
        ("from rounds.models import Round", DOMAIN_APPS, True),
        ("def f():\n    import portal.home", TOP, True),
        ("from bench.registry import bench_figure", DEV, True),
        ("from xuncha.orgs.models import Organization", DOMAIN_APPS + TOP, False),
        ("from .figures import Scope", TOP, False),  # relative: stays in its package
    ],
)
def test_the_check_sees_imports_anywhere_in_a_module(tmp_path, source, forbidden, expected):
    path = tmp_path / "module.py"
    path.write_text(source)
    assert any(_top_package(name) in forbidden for name in _imports(path)) is expected
