"""The layout's import rules (docs/design.md, "Layout and who may import whom" and "The floors
inside gateway/"), read from the source: every import, lazy ones inside functions included,
since a deferred import is how a cycle hides."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("fx", "compliance", "ledger_adapter", "corridors")
OURS = (*DOMAIN, "gateway")

# Below gateway: what each domain package may import of ours besides itself.
DOMAIN_MAY_IMPORT = {
    "fx": set(),
    "compliance": {"fx"},
    "ledger_adapter": {"fx"},
    "corridors": {"fx"},
}

# Inside gateway, bottom floor first: a module may import its own floor and those below it.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("errors", "ids", "config", "logs", "heap", "batching"),
    ("domain",),
    ("storage",),
    ("services", "partners", "events", "metrics"),
    ("chain", "verification"),
    ("usecases",),
    ("pipeline", "webhooks"),
    ("api",),
    ("console", "bots"),
    ("bootstrap",),
    ("app",),
    ("demo",),
    ("commands",),
)
FLOOR_OF = {part: level for level, parts in enumerate(FLOORS) for part in parts}

# The entry points reach storage only through use cases; the middleware's caller lookup reads
# it itself.
ENTRY_POINTS = ("api", "console", "bots", "commands")
CALLER_LOOKUP = {"gateway.api.middleware": {"gateway.storage.keys", "gateway.storage.officers"}}
# The pages, webhooks and the bots' HTTP routes reuse api's HTTP kit, not its views.
API_KIT = {"gateway.api.problems", "gateway.api.http", "gateway.api.routing", "gateway.api.appkeys"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module of ours this file imports, `from pkg import mod` resolved to `pkg.mod`."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {
        name for name in found if name.split(".")[0] in OURS and name != "gateway" and _exists(name)
    }


def _storage_names(path: Path) -> set[tuple[str, str]]:
    """(module, name) of each `from gateway.storage... import name` in this file."""
    return {
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gateway.storage")
        for alias in node.names
    }


def _exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for top in OURS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            graph[_module_name(path)] = _imports(path)
    return graph


GRAPH = _graph()


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "gateway" and len(parts) > 1 else parts[0]


def test_the_graph_is_read():
    assert "gateway.usecases.remittances" in GRAPH
    assert "fx.money" in GRAPH["gateway.usecases.remittances"] or any(
        target.startswith("fx") for target in GRAPH["gateway.usecases.remittances"]
    )
    assert all(_folder(m) in FLOOR_OF for m in GRAPH if m.startswith("gateway.")), sorted(
        {_folder(m) for m in GRAPH if m.startswith("gateway.") and _folder(m) not in FLOOR_OF}
    )


def test_domain_packages_never_import_upwards_or_sideways():
    wrong = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if source.split(".")[0] in DOMAIN
        for target in targets
        if (top := target.split(".")[0]) != source.split(".")[0]
        and top not in DOMAIN_MAY_IMPORT[source.split(".")[0]]
    ]
    assert wrong == []


def test_inside_gateway_arrows_point_down():
    wrong = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if source.startswith("gateway.")
        for target in targets
        if target.startswith("gateway.") and FLOOR_OF[_folder(target)] > FLOOR_OF[_folder(source)]
    ]
    assert wrong == []


def test_no_two_way_ties_between_folders():
    ties: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, targets in GRAPH.items():
        for target in targets:
            if _folder(source) != _folder(target):
                ties[(_folder(source), _folder(target))].add(f"{source} -> {target}")
    both_ways = sorted(
        f"{a} <-> {b}: {sorted(ties[(a, b)] | ties[(b, a)])}"
        for a, b in ties
        if a < b and (b, a) in ties
    )
    assert both_ways == []


def test_use_cases_import_nothing_from_the_web():
    wrong = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if _folder(source) in ("usecases", "pipeline", "webhooks")
        for target in targets
        if _folder(target) in ENTRY_POINTS
    ]
    assert wrong == []


def test_entry_points_reach_storage_through_use_cases():
    wrong = []
    for top in ENTRY_POINTS:
        for path in sorted((ROOT / "gateway" / top).rglob("*.py")):
            module = _module_name(path)
            allowed = CALLER_LOOKUP.get(module, set())
            wrong += [
                f"{module} -> {target}.{name}"
                for target, name in _storage_names(path)
                if target not in allowed
            ]
            wrong += [  # `import gateway.storage.x` and `from gateway import storage`
                f"{module} -> {target}"
                for target in GRAPH[module]
                if _folder(target) == "storage" and not _imported_from(path, target)
            ]
    assert wrong == []


def _imported_from(path: Path, target: str) -> bool:
    names = _storage_names(path)
    return any(module == target or f"{module}.{name}" == target for module, name in names)


def test_entry_points_share_only_the_http_kit():
    wrong = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if _folder(source) in ENTRY_POINTS
        for target in targets
        if _folder(target) in ENTRY_POINTS
        and _folder(target) != _folder(source)
        and target not in API_KIT | {"gateway.api"}
    ]
    assert wrong == []
