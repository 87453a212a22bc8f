"""Failure rates of models and delivery batches against the rest of the fleet (docs/FLEET.md).

A delivery batch is a model's laptops delivered in one calendar month: the fleet records a
delivery date per laptop, not a shipment number, and a model's summer lot arrives within weeks.

For a batch b and a category c over the last W weeks: k failures on the batch's n laptops in
service; the rest of the fleet's rate r = (failures of c elsewhere) / (laptops elsewhere × W);
expected μ = r × n × W. The batch is flagged when k ≥ 5, k ≥ 1.5 μ and P(Poisson(μ) ≥ k) is
below 0.01 divided by the number of (batch, category) pairs tested that run (Bonferroni), so
that a weekly run over the whole region raises a false alarm less than once in a hundred weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from devices.models import Device, DeviceModel, FaultCategory
from insights import params
from insights.models import BatchWeek
from insights.stats import poisson_sf
from insights.weekly import split
from repairs.models import Ticket

IN_SERVICE_EXCLUDED = (Device.Status.RETIRED, Device.Status.LOST)


@dataclass
class Rate:
    model_id: int
    model: str
    delivered_month: dt.date | None  # None: the whole model
    category: str
    devices: int
    failures: int
    expected: float
    p_value: float
    flagged: bool
    weeks: int

    @property
    def category_label(self) -> str:
        return FaultCategory(self.category).label

    @property
    def rate(self) -> float:
        """Failures per 1,000 laptops a week."""
        return 1000 * self.failures / (self.devices * self.weeks) if self.devices else 0.0

    @property
    def fleet_rate(self) -> float:
        return 1000 * self.expected / (self.devices * self.weeks) if self.devices else 0.0

    @property
    def ratio(self) -> float | None:
        return self.failures / self.expected if self.expected else None


@dataclass
class BatchAnalysis:
    since: dt.datetime
    until: dt.datetime
    weeks: int
    tests: int
    threshold: float  # the p-value below which a pair is flagged this run
    batches: list[Rate]
    models: list[Rate]

    @property
    def flagged(self) -> list[Rate]:
        return [rate for rate in self.batches if rate.flagged]


def _month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value is not None else None


def _window(now: dt.datetime | None) -> tuple[dt.datetime, dt.datetime, int]:
    until = now or timezone.now()
    weeks = params.batch_weeks()
    return until - dt.timedelta(weeks=weeks), until, weeks


def failures_in_window(*, since: dt.datetime, until: dt.datetime):
    return Ticket.objects.filter(declared_at__gte=since, declared_at__lt=until).exclude(state__in=params.NOT_FAILURES)


def _failures_by_batch(
    *, since: dt.datetime, until: dt.datetime, categories: list[str]
) -> dict[tuple[int, dt.date | None, str], int]:
    """{(model id, delivery month, category): failures declared in [since, until)}: one query over
    the weekly counts of the whole weeks and the tickets of the partial weeks at both ends."""
    kept = (
        BatchWeek.objects.filter(category__in=categories)
        .values("model_id", "delivered_month", "category")
        .annotate(n=Sum("failures"))
        .values_list("model_id", "delivered_month", "category", "n")
        .order_by()
    )

    def tickets(edge: Q):
        return (
            Ticket.objects.filter(edge, category__in=categories)
            .exclude(state__in=params.NOT_FAILURES)
            .values("device__model_id", "device__delivered_on", "category")
            .annotate(n=Count("id"))
            .values_list("device__model_id", "device__delivered_on", "category", "n")
            .order_by()
        )

    rows = split(since=since, until=until, field="declared_at").union(kept, tickets)
    failures: dict[tuple[int, dt.date | None, str], int] = defaultdict(int)
    for model_id, delivered, category, n in rows:
        failures[(model_id, _month(delivered), category)] += n
    return failures


def batch_analysis(*, now: dt.datetime | None = None) -> BatchAnalysis:
    """Every batch's and model's failure rate by category against the rest of the fleet; three
    grouped queries (laptops per batch, failures per batch and category, model names). The
    failures of the window's whole weeks are read from the weekly counts the database keeps
    (insights/models.py), those of the partial weeks at its ends from the tickets."""
    since, until, weeks = _window(now)
    categories = [str(c) for c in params.BATCH_CATEGORIES]
    # Grouped by delivery day, folded into months here: a date function per row costs more than
    # the few hundred delivery days it would save, and this way the grouping reads the index alone.
    devices: dict[tuple[int, dt.date | None], int] = defaultdict(int)
    for row in (
        Device.objects.exclude(status__in=IN_SERVICE_EXCLUDED)
        .values("model_id", "delivered_on")
        .annotate(n=Count("id"))
        .order_by()
    ):
        devices[(row["model_id"], _month(row["delivered_on"]))] += row["n"]
    failures = _failures_by_batch(since=since, until=until, categories=categories)
    names = {pk: str(model) for pk, model in DeviceModel.objects.in_bulk().items()}
    fleet_devices = sum(devices.values())
    per_category = {c: sum(n for (_m, _d, cat), n in failures.items() if cat == c) for c in categories}
    batches = [key for key in devices if key[1] is not None]
    tests = max(1, len(batches) * len(categories))
    threshold = params.BATCH_ALPHA / tests

    def rate(model_id: int, month, category: str, n: int, k: int) -> Rate:
        rest_devices = fleet_devices - n
        rest_failures = per_category[category] - k
        expected = rest_failures / rest_devices * n if rest_devices else 0.0
        p_value = poisson_sf(k, expected) if k else 1.0
        flagged = (
            month is not None
            and k >= params.BATCH_MIN_FAILURES
            and k >= params.BATCH_MIN_RATIO * expected
            and p_value < threshold
        )
        return Rate(model_id, names.get(model_id, "?"), month, category, n, k, expected, p_value, flagged, weeks)

    batch_rates = [
        rate(model_id, month, category, n, failures.get((model_id, month, category), 0))
        for (model_id, month), n in devices.items()
        if month is not None
        for category in categories
    ]
    model_devices: dict[int, int] = {}
    model_failures: dict[tuple[int, str], int] = {}
    for (model_id, _), n in devices.items():
        model_devices[model_id] = model_devices.get(model_id, 0) + n
    for (model_id, _, category), k in failures.items():
        model_failures[(model_id, category)] = model_failures.get((model_id, category), 0) + k
    model_rates = [
        rate(model_id, None, category, n, model_failures.get((model_id, category), 0))
        for model_id, n in model_devices.items()
        for category in categories
    ]
    order = lambda r: (r.p_value, r.model, r.delivered_month or dt.date.min, r.category)  # noqa: E731
    return BatchAnalysis(
        since, until, weeks, tests, threshold, sorted(batch_rates, key=order), sorted(model_rates, key=order)
    )


def batch_tickets(*, model_id: int, month: dt.date, category: str, since: dt.datetime, until: dt.datetime):
    """The tickets behind a batch's count: its laptops' failures of `category` in the window."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        failures_in_window(since=since, until=until)
        .filter(
            category=category,
            device__model_id=model_id,
            device__delivered_on__gte=month,
            device__delivered_on__lt=following,
        )
        .select_related("device", "establishment")
        .order_by("-declared_at", "pk")
    )
