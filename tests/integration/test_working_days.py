"""Reminders on working days (reminders.on, before_working) across the
2025 National Day and the 2026 Spring Festival, with their make-up
working days: what a daemon run day by day sends, against a computation
of its own written here from the shipped holiday files."""
import datetime
import re

import pytest

from conftest import REPO
from daemon_helpers import (DECISION_TITLE, case, cases_file, make_tree, q,
                            webhook_receiver)
from daemon_helpers import hook  # noqa: F401  (fixture)

HOLIDAY_FILES = [REPO / "conf" / "holidays" / "cn-2025.conf",
                 REPO / "conf" / "holidays" / "cn-2026.conf"]

CALENDAR = ("calendar = {\n  weekend = [ \"sat\", \"sun\" ];\n"
            f"  include = {q([str(p) for p in HOLIDAY_FILES])};\n"
            "  roll = \"next_working_day\";\n};")

# Two windows on the same event: one with the global reminders (calendar
# days before the deadline, moved off days off), one counting working
# days before it.
WINDOWS = f"""windows = {{
  decision = {{ title = {q(DECISION_TITLE)};
               opens = "transferred"; closes = [ "filed" ]; days = 7; }};
  decision_wd = {{ title = {q(DECISION_TITLE)};
               opens = "transferred"; closes = [ "filed" ]; days = 7;
               reminders = {{ before_working = [ 3, 1 ]; }}; }};
}};"""

TIMED = ("reminder", "due", "overdue")
DAY = datetime.timedelta(days=1)


# -- the independent computation -----------------------------------------

def read_holiday_files(paths):
    """(holidays, workdays) as sets of dates, read from libconfig holiday
    files by a regular expression, not by deadlined."""
    holidays, workdays = set(), set()
    for path in paths:
        text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))
        for key, into in (("holidays", holidays), ("workdays", workdays)):
            m = re.search(key + r"\s*=\s*\[(.*?)\]", text, re.S)
            assert m, (path, key)
            into.update(datetime.date.fromisoformat(d)
                        for d in re.findall(r"\d{4}-\d\d-\d\d", m.group(1)))
    return holidays, workdays


HOLIDAYS, WORKDAYS = read_holiday_files(HOLIDAY_FILES)


def working(day):
    if day in WORKDAYS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def next_working(day):
    while not working(day):
        day += DAY
    return day


def last_working(day):
    while not working(day):
        day -= DAY
    return day


def expected(opened, before=(3, 1), in_working_days=False,
             overdue_max=30):
    """{(day, kind, days_left)} of a 7-day window opened on `opened`:
    reminders moved back to a working day (or counted in working days),
    none on or before the opening day, one per day; the due alert on the
    deadline; overdue repeats daily for overdue_max days, moved forward
    to a working day, one per day."""
    deadline = next_working(opened + 7 * DAY)
    days = set()
    for n in before:
        if in_working_days:
            day = deadline
            for _ in range(n):
                day = last_working(day - DAY)
        else:
            day = last_working(deadline - n * DAY)
        if day > opened:
            days.add((day, "reminder"))
    days.add((deadline, "due"))
    for k in range(1, overdue_max + 1):
        days.add((next_working(deadline + k * DAY), "overdue"))
    return {(d, kind, (deadline - d).days) for d, kind in days}


# -- the daemon, day by day ----------------------------------------------

def run_days(run, tree, first, last):
    """--once at 09:00 of every day from first to last."""
    day = first
    while day <= last:
        r = run("-c", tree.main, "--once", "--now", f"{day}T09:00:00")
        assert r.returncode == 0, r.stderr
        day += DAY


def sent(hook):
    """{(case, window): {(day, kind, days_left)}} of the timed alerts the
    receiver got, the day read from the message's sent_at."""
    out = {}
    for req, a in hook.alerts():
        if a["kind"] not in TIMED:
            continue
        day = datetime.date.fromisoformat(req.json["sent_at"][:10])
        out.setdefault((a["case"]["id"], a["window"]["name"]), set()).add(
            (day, a["kind"], a["days_left"]))
    return out


@pytest.mark.parametrize("opened,first,last", [
    # The 2025 National Day (10-01..10-08, make-up Sun 09-28, Sat 10-11).
    (["2025-09-19", "2025-09-24", "2025-09-26", "2025-09-29",
      "2025-09-30", "2025-10-02"], "2025-09-19", "2025-11-14"),
    # The 2026 Spring Festival (02-15..02-23, make-up Sat 02-14 and 02-28).
    (["2026-02-06", "2026-02-10", "2026-02-13", "2026-02-20"],
     "2026-02-06", "2026-04-03"),
], ids=["national-day-2025", "spring-festival-2026"])
def test_working_day_reminders_match_the_calendar(tmp_path, hook, run,
                                                  opened, first, last):
    cases = [case(case_id=f"W-{d}", transferred=d) for d in opened]
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(*cases)},
                     calendar=CALENDAR, windows=WINDOWS)
    run_days(run, tree, datetime.date.fromisoformat(first),
             datetime.date.fromisoformat(last))
    got = sent(hook)
    for d in opened:
        o = datetime.date.fromisoformat(d)
        assert got.get((f"W-{d}", "decision"), set()) == expected(o), d
        assert got.get((f"W-{d}", "decision_wd"), set()) == \
            expected(o, in_working_days=True), d
    # Nothing timed went out on a day off.
    for alerts in got.values():
        assert all(working(day) for day, _, _ in alerts), alerts


def test_the_issue_example_national_day(tmp_path, hook, run):
    # The example of deadlined.conf(5): opened 2025-09-26, deadline
    # 2025-10-09.  before = [ 3, 1 ] gives one reminder, on 09-30; the
    # working-day count gives 09-28 (a make-up Sunday) and 09-30.
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-09-26"))},
                     calendar=CALENDAR, windows=WINDOWS)
    run_days(run, tree, datetime.date(2025, 9, 26),
             datetime.date(2025, 10, 9))
    reminders = {(w, day.isoformat(), left)
                 for (c, w), alerts in sent(hook).items()
                 for day, kind, left in alerts if kind == "reminder"}
    assert reminders == {("decision", "2025-09-30", 9),
                         ("decision_wd", "2025-09-28", 11),
                         ("decision_wd", "2025-09-30", 9)}


def test_calendar_days_keeps_the_old_placement(tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-09-26"))},
                     calendar=CALENDAR,
                     reminders='reminders = { on = "calendar_days"; '
                               'before = [ 3, 1 ]; overdue_max = 5; };')
    run_days(run, tree, datetime.date(2025, 9, 26),
             datetime.date(2025, 10, 16))
    got = sorted((day.isoformat(), kind)
                 for alerts in sent(hook).values()
                 for day, kind, _ in alerts)
    assert got == [("2025-10-06", "reminder"), ("2025-10-08", "reminder"),
                   ("2025-10-09", "due"), ("2025-10-10", "overdue"),
                   ("2025-10-11", "overdue"), ("2025-10-12", "overdue"),
                   ("2025-10-13", "overdue"), ("2025-10-14", "overdue")]
