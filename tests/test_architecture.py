"""The house's rules that no single feature test sees: imports run one way without cycles, every
write to the fleet's tables goes through `devices.services`, and no product module outgrows ~400
lines."""

import ast
import datetime as dt
import os
import re
import traceback
from pathlib import Path

import pytest
from django.db import connection

from devices.models import Device
from repairs import services
from tests.devices.factories import CoverageFactory, DeviceFactory
from tests.repairs.factories import build_world

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("config", "devices", "repairs", "notifications", "distribution", "privacy", "insights", "demo")


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def module_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The product modules `name` imports, at module level or inside a function alike: an import
    moved into a function to dodge a cycle is still a cycle."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def test_no_import_cycle_among_the_product_modules():
    modules = product_modules()
    graph = {name: module_imports(name, path, set(modules)) for name, path in modules.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


MAX_MODULE_LINES = 400


def python_files_outside_tests() -> list[Path]:
    """Every .py of the checkout but the virtualenv's, the tests', the benchmarks' and the
    migrations' (generated, and never edited once applied)."""
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder)
        subfolders[:] = [
            name
            for name in subfolders
            if name not in (".venv", ".git", "migrations") and not (here == ROOT and name in ("tests", "bench"))
        ]
        found += [here / name for name in files if name.endswith(".py")]
    return found


def test_no_product_module_is_longer_than_the_house_allows():
    """Past ~400 lines a module holds more than one responsibility: split it by what it does."""
    lengths = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in python_files_outside_tests()}
    assert len(lengths) > 100  # the walk found the product
    offenders = sorted(
        f"{path.relative_to(ROOT)} ({count} lines)" for path, count in lengths.items() if count > MAX_MODULE_LINES
    )
    assert not offenders, f"over {MAX_MODULE_LINES} lines: " + ", ".join(offenders)


def test_the_fleet_and_the_outbox_import_nothing_of_tickets():
    modules = product_modules()
    for name, path in modules.items():
        if name.split(".")[0] in ("devices", "notifications"):
            imported = module_imports(name, path, set(modules))
            assert not {target for target in imported if target.split(".")[0] == "repairs"}, name


FLEET_TABLES = re.compile(r'^(INSERT INTO|UPDATE|DELETE FROM) "?(devices_[a-z]+)', re.IGNORECASE)


@pytest.mark.django_db
def test_repairs_writes_no_fleet_table_itself():
    """Every INSERT/UPDATE/DELETE on a devices_* table during a ticket's whole life (diagnosis,
    claim, loaner, swap with a re-image, hand-over) is issued from devices.services."""
    world = build_world()
    CoverageFactory(
        device=world.device,
        kind="accidental",
        provider="Assureur",
        claims_cap=2,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2028, 8, 31),
    )
    DeviceFactory(establishment=world.establishment, status=Device.Status.SPARE, image=None)
    offenders = []

    def watch(execute, sql, params, many, context):
        match = FLEET_TABLES.match(sql.lstrip())
        if match:
            frames = [f.filename for f in traceback.extract_stack()]
            product = [f for f in frames if f.startswith(str(ROOT)) and "/tests/" not in f and ".venv" not in f]
            if product and not any(f.endswith("devices/services.py") for f in product):
                offenders.append((match.group(2), product[-1]))
        return execute(sql, params, many, context)

    ticket = world.declare(category="accidental_damage")
    with connection.execute_wrapper(watch):
        services.ticket_lend_loaner(ticket=ticket, actor=world.tech)
        services.ticket_start_diagnosis(ticket=ticket, actor=world.tech, coverage="accidental", coverage_reason="Casse")
        services.ticket_start_repair(ticket=ticket, actor=world.tech)
        services.ticket_swap(ticket=ticket, actor=world.tech, reimage=True)
        services.ticket_collect_loaner(ticket=ticket, actor=world.tech)
        services.ticket_hand_over(ticket=ticket, actor=world.tech)
        other = world.declare(category="screen", device=world.device.__class__.objects.get(pk=ticket.replacement_id))
        services.ticket_request_device(ticket=other, actor=world.staff)
        services.ticket_receive_device(ticket=other, actor=world.staff)
        services.ticket_start_repair(ticket=other, actor=world.tech)
        services.ticket_finish_repair(ticket=other, actor=world.tech, reimage=True)
        services.ticket_hand_over(ticket=other, actor=world.staff)
    assert offenders == []
