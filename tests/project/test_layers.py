"""The arrows between packages run one way: down the layers of README.md's architecture map.

A module may import its own package and the layers below its own, never a layer above nor a
package beside it in the same layer. The composition roots (settings, urls, wsgi, asgi) sit
outside the layers: they wire everything together.
"""

import ast
from pathlib import Path

import heapprivacy

PACKAGE = Path(heapprivacy.__file__).parent
# Bottom first. Names are the parts after "heapprivacy.": packages and top-level modules.
LAYERS = [
    {
        "envconfig",
        "celery",
        "crypto",
        "pseudonyms",
        "refusals",
        "bulkcopy",
        "private_files",
        "limitcache",
        "clientip",
    },
    {"audit", "heap", "sandbox"},
    {"accounts"},
    {"erasure"},
    {"notifications"},
    {"intake", "api", "reports"},
    {"console"},
    {"ops"},
]
ROOTS = {"settings", "urls", "wsgi", "asgi"}
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def part_of(module: str) -> str:
    """`heapprivacy.erasure.legal.clock` → `erasure`."""
    return module.split(".")[1]


def imported(tree: ast.AST) -> set[str]:
    """Every heapprivacy module a file imports, at module level or inside a function."""
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return {module for module in modules if module.startswith("heapprivacy.")}


def upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if importer in ROOTS or importer == "__init__":
            continue
        for module in sorted(imported(ast.parse(path.read_text(), str(path)))):
            target = part_of(module)
            if target != importer and RANK[target] >= RANK[importer]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    return wrong


def test_every_package_and_module_has_a_layer() -> None:
    names = {path.name.removesuffix(".py") for path in PACKAGE.iterdir()}
    names -= {"__init__", "__pycache__", *ROOTS}

    assert names == set(RANK)


def test_no_import_runs_up_a_layer_or_across_one() -> None:
    assert upward_imports() == []


def test_the_check_sees_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from heapprivacy.console.forms import RejectForm\n")

    assert imported(tree) == {"heapprivacy.console.forms"}
    assert RANK[part_of("heapprivacy.console.forms")] > RANK["erasure"]
