"""Business time and the SLA clock as pure functions, at the edges, with fixed instants."""

import datetime as dt

import pytest

from repairs.sla.calendar import PARIS, BusinessCalendar, business_add, business_time
from repairs.sla.clock import Rules, Step, clock_compute

H = dt.timedelta(hours=1)
CAL = BusinessCalendar()  # 8:00–18:00, Monday–Friday, French public holidays
RULES = Rules(first_response=4 * H, resolution=30 * H, pause_states=frozenset({"awaiting_device"}))


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def add(start: dt.datetime, hours: float, calendar: BusinessCalendar = CAL) -> dt.datetime:
    return business_add(calendar=calendar, start=start, amount=dt.timedelta(hours=hours)).astimezone(PARIS)


def in_working_hours(moment: dt.datetime, calendar: BusinessCalendar = CAL) -> bool:
    local = moment.astimezone(PARIS)
    window = calendar.window(local.date())
    return window is not None and window[0] <= moment <= window[1]


# Calendar


def test_friday_1755_plus_one_hour_is_monday_0855():
    assert add(paris(2026, 11, 27, 17, 55), 1) == paris(2026, 11, 30, 8, 55)


def test_declared_on_a_public_holiday_starts_counting_the_next_working_morning():
    # Wednesday 11 November 2026, Armistice Day.
    assert not CAL.is_business_day(dt.date(2026, 11, 11))
    assert add(paris(2026, 11, 11, 10, 0), 1) == paris(2026, 11, 12, 9, 0)
    assert business_time(calendar=CAL, start=paris(2026, 11, 11, 9), end=paris(2026, 11, 12, 9)) == H


def test_spring_forward_keeps_local_hours_and_counts_real_time():
    # Clocks go forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    due = add(paris(2026, 3, 27, 17, 0), 2)
    assert due == paris(2026, 3, 30, 9, 0)
    assert due.utcoffset() == dt.timedelta(hours=2)
    assert business_time(calendar=CAL, start=paris(2026, 3, 27, 17), end=paris(2026, 3, 30, 9)) == 2 * H


def test_fall_back_keeps_local_hours_and_counts_real_time():
    # Clocks go back on Sunday 25 October 2026.
    due = add(paris(2026, 10, 23, 17, 0), 2)
    assert due == paris(2026, 10, 26, 9, 0)
    assert due.utcoffset() == dt.timedelta(hours=1)
    assert business_time(calendar=CAL, start=paris(2026, 10, 23, 12), end=paris(2026, 10, 26, 12)) == 10 * H


def test_a_working_day_is_ten_hours_on_both_sides_of_a_dst_change():
    for day in (dt.date(2026, 3, 27), dt.date(2026, 3, 30), dt.date(2026, 10, 23), dt.date(2026, 10, 26)):
        opens, closes = CAL.window(day)
        assert closes - opens == 10 * H


def test_instants_outside_working_hours_count_nothing():
    assert business_time(
        calendar=CAL, start=paris(2026, 11, 27, 18, 30), end=paris(2026, 11, 30, 7, 59)
    ) == dt.timedelta(0)
    assert business_time(calendar=CAL, start=paris(2026, 11, 30, 19), end=paris(2026, 11, 30, 7)) == dt.timedelta(0)


def test_school_holidays_of_zone_c_are_days_off_only_when_asked():
    holidays_c = BusinessCalendar(school_zone="C")
    monday_of_toussaint = dt.date(2026, 10, 19)
    assert CAL.is_business_day(monday_of_toussaint)
    assert not holidays_c.is_business_day(monday_of_toussaint)
    # Toussaint 2026 in zone C: Saturday 17 October to Sunday 1 November.
    assert add(paris(2026, 10, 16, 17), 2, holidays_c) == paris(2026, 11, 2, 9)
    assert add(paris(2026, 10, 16, 17), 2) == paris(2026, 10, 19, 9)


def test_school_holidays_beyond_the_package_data_are_ignored_not_an_error():
    assert BusinessCalendar(school_zone="C").is_business_day(dt.date(2031, 1, 6))


def test_closures_are_days_off():
    closed = BusinessCalendar(closures=((dt.date(2026, 12, 1), dt.date(2026, 12, 2)),))
    assert add(paris(2026, 11, 30, 17), 2, closed) == paris(2026, 12, 3, 9)


def test_business_add_never_lands_outside_working_hours():
    start = paris(2026, 11, 2, 0, 0)
    for minutes in range(0, 60 * 24 * 9, 37):
        moment = start + dt.timedelta(minutes=minutes)
        for hours in (0.25, 1, 7.5, 10, 33):
            assert in_working_hours(business_add(calendar=CAL, start=moment, amount=dt.timedelta(hours=hours)))


# Clock


def steps(*items) -> list[Step]:
    return [Step(at=at, name=name, target=target) for at, name, target in items]


def test_first_response_due_and_warning_from_a_declaration_friday_1755():
    clock = clock_compute(
        declared_at=paris(2026, 11, 27, 17, 55), steps=[], rules=RULES, calendar=CAL, now=paris(2026, 11, 27, 18)
    )
    assert clock.first_response.due_at == paris(2026, 11, 30, 11, 55)
    assert clock.first_response.warn_at == paris(2026, 11, 30, 11, 7)  # 80 % of 4 h = 3 h 12 min
    assert not clock.first_response.breached and not clock.at_risk


def test_pause_spanning_a_weekend_counts_only_working_time_outside_the_pause():
    timeline = steps(
        (paris(2026, 11, 26, 12), "request_device", "awaiting_device"),  # Thursday
        (paris(2026, 11, 30, 14), "receive_device", "diagnosing"),  # Monday
    )
    clock = clock_compute(
        declared_at=paris(2026, 11, 26, 10), steps=timeline, rules=RULES, calendar=CAL, now=paris(2026, 11, 30, 16)
    )
    assert clock.resolution.elapsed == 4 * H  # Thursday 10–12, Monday 14–16
    assert clock.first_response.measured == 2 * H
    assert clock.paused_since is None
    # 26 h left at Monday 16:00: Monday 2 h, Tuesday 10 h, Wednesday 10 h, Thursday 4 h.
    assert clock.resolution.due_at == paris(2026, 12, 3, 12)


def test_regression_pause_spanning_a_holiday_is_not_counted_twice():
    timeline = steps(
        (paris(2026, 11, 10, 10), "request_device", "awaiting_device"),  # Tuesday
        (paris(2026, 11, 12, 10), "receive_device", "diagnosing"),  # Thursday, after Armistice Day
    )
    clock = clock_compute(
        declared_at=paris(2026, 11, 9, 10), steps=timeline, rules=RULES, calendar=CAL, now=paris(2026, 11, 12, 10)
    )
    assert clock.resolution.elapsed == 10 * H  # Monday 10–18, Tuesday 8–10
    # 20 h left from Thursday 10:00: Thursday 8 h, Friday 10 h, Monday 2 h.
    assert clock.resolution.due_at == paris(2026, 11, 16, 10)


def test_regression_resumed_due_date_lands_inside_working_hours():
    # Paused on Friday afternoon, resumed on Friday evening after closing time.
    timeline = steps(
        (paris(2026, 11, 27, 9), "request_device", "awaiting_device"),
        (paris(2026, 11, 27, 19, 30), "receive_device", "diagnosing"),
    )
    rules = Rules(first_response=4 * H, resolution=3 * H, pause_states=frozenset({"awaiting_device"}))
    clock = clock_compute(
        declared_at=paris(2026, 11, 27, 8), steps=timeline, rules=rules, calendar=CAL, now=paris(2026, 11, 27, 20)
    )
    # 1 h used before the pause; the 2 h left start on Monday morning, not at 19:30 + 2 h.
    assert clock.resolution.due_at == paris(2026, 11, 30, 10)
    assert in_working_hours(clock.resolution.due_at)


def test_regression_not_breached_while_paused_even_long_after_the_due_date():
    timeline = steps((paris(2026, 11, 23, 9), "request_device", "awaiting_device"))
    rules = Rules(first_response=4 * H, resolution=3 * H, pause_states=frozenset({"awaiting_device"}))
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8), steps=timeline, rules=rules, calendar=CAL, now=paris(2026, 12, 23, 8)
    )
    assert clock.paused_since == paris(2026, 11, 23, 9)
    assert clock.resolution.due_at is None  # unknown until it resumes
    assert not clock.resolution.breached and not clock.at_risk
    assert clock.resolution.elapsed == H


def test_a_clock_breached_before_its_pause_stays_breached():
    timeline = steps(
        (paris(2026, 11, 23, 9), "start_diagnosis", "diagnosing"),
        (paris(2026, 11, 23, 13), "order_parts", "awaiting_parts"),
    )
    rules = Rules(first_response=4 * H, resolution=3 * H, pause_states=frozenset({"awaiting_parts"}))
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8), steps=timeline, rules=rules, calendar=CAL, now=paris(2026, 11, 30, 8)
    )
    assert clock.paused_since == paris(2026, 11, 23, 13)
    assert clock.resolution.due_at == paris(2026, 11, 23, 11)
    assert clock.resolution.breached


def test_regression_pause_does_not_shift_a_due_date_set_by_hand():
    by_hand = paris(2026, 11, 27, 16)
    timeline = steps(
        (paris(2026, 11, 23, 9), "request_device", "awaiting_device"),
        (paris(2026, 11, 25, 9), "receive_device", "diagnosing"),
    )
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8),
        steps=timeline,
        rules=RULES,
        calendar=CAL,
        now=paris(2026, 11, 25, 10),
        resolution_due_by_hand=by_hand,
    )
    assert clock.resolution.due_at == by_hand
    assert not clock.resolution.breached


def test_a_due_date_set_by_hand_is_not_breached_while_paused():
    timeline = steps((paris(2026, 11, 23, 9), "request_device", "awaiting_device"))
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8),
        steps=timeline,
        rules=RULES,
        calendar=CAL,
        now=paris(2026, 12, 1, 8),
        resolution_due_by_hand=paris(2026, 11, 24, 12),
    )
    assert not clock.resolution.breached


def test_regression_pause_time_is_kept_when_the_policy_changes():
    timeline = steps(
        (paris(2026, 11, 23, 10), "request_device", "awaiting_device"),  # after 2 h
        (paris(2026, 11, 25, 10), "receive_device", "diagnosing"),
    )
    now = paris(2026, 11, 25, 11)
    kwargs = {"declared_at": paris(2026, 11, 23, 8), "steps": timeline, "calendar": CAL, "now": now}
    before = clock_compute(rules=RULES, **kwargs)
    stricter = Rules(first_response=2 * H, resolution=5 * H, pause_states=frozenset({"awaiting_device"}))
    after = clock_compute(rules=stricter, **kwargs)
    assert before.resolution.elapsed == after.resolution.elapsed == 3 * H
    assert after.resolution.due_at == paris(2026, 11, 25, 13)  # 2 h left at Wednesday 11:00


def test_at_risk_from_80_percent_until_the_breach():
    rules = Rules(first_response=10 * H, resolution=50 * H, pause_states=frozenset())
    declared = paris(2026, 11, 23, 8)

    def at(hour: int, minute: int = 0):
        return clock_compute(
            declared_at=declared, steps=[], rules=rules, calendar=CAL, now=paris(2026, 11, 23, hour, minute)
        )

    assert not at(15, 59).at_risk
    assert at(16).at_risk and not at(16).first_response.breached
    assert at(18).at_risk  # exactly at the due instant: not late yet
    # Due at closing time: late as soon as the day is over, though no business time passes at night.
    assert at(18, 1).first_response.breached
    assert not at(18, 1).first_response.at_risk and not at(18, 1).at_risk


def test_stopped_targets_are_measured_and_never_at_risk():
    timeline = steps(
        (paris(2026, 11, 23, 9), "start_diagnosis", "diagnosing"),
        (paris(2026, 11, 23, 10), "send_to_manufacturer", "at_manufacturer"),
        (paris(2026, 11, 27, 10), "receive_from_manufacturer", "in_repair"),
        (paris(2026, 11, 27, 12), "finish_repair", "ready_for_return"),
        (paris(2026, 11, 27, 15), "hand_over", "returned"),
    )
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8), steps=timeline, rules=RULES, calendar=CAL, now=paris(2026, 12, 30, 8)
    )
    assert clock.first_response.measured == H
    assert clock.resolution.measured == 47 * H  # Monday 8–18, Tuesday–Thursday, Friday 8–15
    assert clock.resolution.breached  # 30 h target
    assert clock.manufacturer == dt.timedelta(days=4)
    assert not clock.at_risk


def test_cancelled_tickets_stop_the_clock_without_a_measurement():
    timeline = steps((paris(2026, 11, 23, 9), "cancel", "cancelled"))
    clock = clock_compute(
        declared_at=paris(2026, 11, 23, 8), steps=timeline, rules=RULES, calendar=CAL, now=paris(2026, 12, 30, 8)
    )
    assert clock.first_response.stopped and clock.first_response.measured is None
    assert clock.resolution.stopped and clock.resolution.measured is None
    assert not clock.first_response.breached and not clock.resolution.breached


@pytest.mark.parametrize("hours", [0.25, 2, 10, 30, 100])
def test_the_due_date_does_not_depend_on_when_the_clock_is_read(hours):
    rules = Rules(first_response=H, resolution=dt.timedelta(hours=hours), pause_states=frozenset())
    declared = paris(2026, 11, 23, 8, 17)
    dues = {
        clock_compute(
            declared_at=declared, steps=[], rules=rules, calendar=CAL, now=declared + dt.timedelta(minutes=m)
        ).resolution.due_at
        for m in (0, 5, 600, 3000)
    }
    assert len(dues) == 1
