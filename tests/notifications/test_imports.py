"""Imports inside the outbox run one way (tasks → services → publish): no module imports one that
imports it back, at module level or inside a function. Celery is plugged in at app ready."""

import ast
from pathlib import Path

import notifications
from notifications import publish, tasks

PACKAGE = Path(notifications.__file__).parent


def imported_modules() -> dict[str, set[str]]:
    """Module → the notifications modules it imports, anywhere in its body (migrations aside)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("notifications"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("notifications"))
        graph[name] = found
    return {
        name: {target for target in targets if target in graph and target != name} for name, targets in graph.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def test_the_notifications_app_has_no_import_cycle():
    graph = imported_modules()
    assert "notifications.tasks" in graph["notifications.apps"]
    assert graph["notifications.services"] >= {"notifications.publish"}
    assert "notifications.tasks" not in graph["notifications.services"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_celery_publisher_is_plugged_in_at_app_ready():
    assert publish._publisher is tasks.publish_delivery
