"""The lock files pin what requirements*.txt ask for, every package with its hashes: `make` and CI
install from the locks, an operator may install requirements.txt alone, and both must agree."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]+\])?==([^\s;\\]+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def hashed_packages(path: Path) -> dict[str, int]:
    """Each package of a lock file and how many hashes follow it."""
    counts, current = {}, None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = re.sub(r"[-_.]+", "-", match[1]).lower()
            counts[current] = 0
        elif line.strip().startswith("--hash=sha256:") and current:
            counts[current] += 1
    return counts


@pytest.mark.parametrize(
    ("source", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_the_lock_pins_every_direct_requirement_at_the_same_version(source, lock):
    wanted, locked = pins(ROOT / source), pins(ROOT / lock)
    assert wanted, f"no pin read from {source}"
    assert {name: locked.get(name) for name in wanted} == wanted


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock", "requirements-uv.lock"])
def test_every_locked_package_carries_its_hashes(lock):
    counts = hashed_packages(ROOT / lock)
    assert len(counts) > (0 if lock == "requirements-uv.lock" else 40)
    assert [name for name, count in counts.items() if count == 0] == []


def test_the_dev_lock_keeps_the_runtime_versions():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_runtime_requirements_bring_the_worker_and_the_server():
    runtime = pins(ROOT / "requirements.lock")
    # kombu's Redis transport imports packaging: a worker installed from requirements.txt alone
    # died on it when only redis-py was listed.
    assert {"celery", "kombu", "redis", "packaging", "gunicorn", "sentry-sdk", "django-axes"} <= set(runtime)
