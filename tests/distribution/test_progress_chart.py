"""The campaign's curve, drawn on the server: one point per day after the starting level, and the
schedule's line from that level to 90 % on day 14."""

import datetime as dt
import re

from distribution.charts import progress_curve
from distribution.progress import ProgressRow


def row(**fields) -> ProgressRow:
    start = dt.date(2026, 9, 1)
    data = {
        "key": "31",
        "label": "Haute-Garonne",
        "target": 100,
        "starts_on": start,
        "at_start": 20,
        "curve": [(start + dt.timedelta(days=i), pct) for i, pct in enumerate((30.0, 45.0, 52.0))],
    }
    return ProgressRow(**{**data, **fields})


def test_the_curve_starts_at_the_starting_level_and_has_a_point_per_day():
    svg = str(progress_curve(row=row()))
    points = re.search(r'class="equipped" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 4  # the level on the first morning, then the end of each of three days
    ys = [float(point.split(",")[1]) for point in points]
    assert ys == sorted(ys, reverse=True)  # rising (SVG's y grows downwards)
    line = re.search(r'<line class="schedule" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg)
    assert float(line.group(2)) == ys[0]  # the schedule leaves from the starting level...
    assert float(line.group(4)) < float(line.group(2))  # ...and climbs to 90 %


def test_a_scope_without_campaign_says_so():
    svg = str(progress_curve(row=ProgressRow(key="", label="Total")))
    assert "<polyline" not in svg and "campaign" in svg.lower()
