"""Time is right in every zone: on the days New York and Berlin change
their clocks (2026), --list, deadline_at, --now and the running daemon
all read notify_at as local wall time.  A time the clock skips means the
moment it jumps; a time it shows twice means its first occurrence; at
exactly notify_at the alert is due.

    America/New_York  2026-03-08 02:00 EST -> 03:00 EDT (Sunday)
                      2026-11-01 02:00 EDT -> 01:00 EST (Sunday)
    Europe/Berlin     2026-03-29 02:00 CET -> 03:00 CEST (Sunday)
                      2026-10-25 03:00 CEST -> 02:00 CET (Sunday)
"""
import json
import os
import time

import pytest

from conftest import cases_conf, main_conf, windows_conf, write_tree
from conftest import case as conf_case
from daemon_helpers import (REMINDERS_CALENDAR_DAYS, case, cases_file,
                            make_tree, wait_until, webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

# The clocks change on Sundays: the alerts tested fall on them, so the
# reminders are counted in calendar days, not moved to working days.
CALENDAR_DAYS = '{ on = "calendar_days"; }'

NY = "America/New_York"
BERLIN = "Europe/Berlin"

# Cases whose decision window's deadline is the Friday before a change
# day, so that day has its second daily overdue alert (days_left -2).
OVERDUE_ON = {
    "2026-03-08": "2026-02-27",   # deadline Fri 03-06
    "2026-11-01": "2026-10-23",   # deadline Fri 10-30
    "2026-03-29": "2026-03-20",   # deadline Fri 03-27
    "2026-10-25": "2026-10-16",   # deadline Fri 10-23
}


@pytest.fixture
def next_alert(run, tmp_path):
    """next_alert(zone, notify_at, transferred, now): the next_alert of
    the one window --list --json shows."""
    def _next_alert(zone, notify_at, transferred, now):
        tree = write_tree(tmp_path, main=main_conf(timezone=zone,
                                                   notify_at=notify_at,
                                                   reminders=CALENDAR_DAYS),
                          cases={"c.conf": cases_conf(
                              conf_case(id="A-1", transferred=transferred))})
        r = run("--list", "--json", "-c", tree.main, "--now", now)
        assert r.returncode == 0, r.stderr
        rows = json.loads(r.stdout)
        assert len(rows) == 1, rows
        return rows[0]["next_alert"]
    return _next_alert


@pytest.mark.parametrize("zone, notify_at, day, now, expected", [
    # Spring forward: 09:00 is 09:00 by the new clock, not 10:00.
    (NY, "09:00", "2026-03-08", "2026-03-08T00:30",
     "2026-03-08T09:00:00-04:00"),
    (BERLIN, "09:00", "2026-03-29", "2026-03-29T01:00",
     "2026-03-29T09:00:00+02:00"),
    # 02:30 does not exist: the alert goes when the clock jumps.
    (NY, "02:30", "2026-03-08", "2026-03-08T01:00",
     "2026-03-08T03:00:00-04:00"),
    (BERLIN, "02:30", "2026-03-29", "2026-03-29T01:00",
     "2026-03-29T03:00:00+02:00"),
    # A late notify_at is still that day.
    (NY, "23:30", "2026-03-08", "2026-03-08T12:00",
     "2026-03-08T23:30:00-04:00"),
    # Fall back: 09:00 is 09:00 by the old clock, not 08:00.
    (NY, "09:00", "2026-11-01", "2026-11-01T00:59:50",
     "2026-11-01T09:00:00-05:00"),
    (BERLIN, "09:00", "2026-10-25", "2026-10-25T00:00",
     "2026-10-25T09:00:00+01:00"),
    # 01:30 happens twice: the first one counts ...
    (NY, "01:30", "2026-11-01", "2026-11-01T00:59:50",
     "2026-11-01T01:30:00-04:00"),
    (BERLIN, "02:30", "2026-10-25", "2026-10-25T01:00",
     "2026-10-25T02:30:00+02:00"),
    # ... so in the repeated hour, before 01:30 by the clock, it has
    # gone: the next is tomorrow's.
    (NY, "01:30", "2026-11-01", "2026-11-01T01:10:00-05:00",
     "2026-11-02T01:30:00-05:00"),
    (BERLIN, "02:30", "2026-10-25", "2026-10-25T02:10:00+01:00",
     "2026-10-26T02:30:00+01:00"),
    # At exactly notify_at the alert is due: --list shows the next one.
    (NY, "09:00", "2026-03-08", "2026-03-09T09:00",
     "2026-03-10T09:00:00-04:00"),
    (NY, "09:00", "2026-03-08", "2026-03-08T09:00",
     "2026-03-09T09:00:00-04:00"),
    (NY, "09:00", "2026-11-01", "2026-11-01T09:00:00",
     "2026-11-02T09:00:00-05:00"),
])
def test_list_next_alert_on_change_days(next_alert, zone, notify_at, day,
                                        now, expected):
    assert next_alert(zone, notify_at, OVERDUE_ON[day], now) == expected


@pytest.mark.parametrize("zone, transferred, now, deadline_at", [
    (NY, "2026-03-01", "2026-03-08T09:00", "2026-03-08T23:59:59-04:00"),
    (NY, "2026-10-25", "2026-11-01T09:00", "2026-11-01T23:59:59-05:00"),
    (BERLIN, "2026-03-22", "2026-03-29T09:00", "2026-03-29T23:59:59+02:00"),
    (BERLIN, "2026-10-18", "2026-10-25T09:00", "2026-10-25T23:59:59+01:00"),
])
def test_deadline_at_on_change_days(tmp_path, run, hook, zone, transferred,
                                    now, deadline_at):
    """A deadline on the change day itself (the window does not roll off
    the Sunday) ends at 23:59:59 by that day's clock."""
    tree = write_tree(tmp_path, main=main_conf(
        timezone=zone, windows=windows_conf(roll="none"),
        reminders=CALENDAR_DAYS,
        receivers="( " + webhook_receiver("hook", hook.url()) + " )",
        notify='[ "hook" ]', extra='state_dir = "state";'),
        cases={"c.conf": cases_conf(conf_case(id="A-1",
                                              transferred=transferred))})
    r = run("--once", "-c", tree.main, "--now", now)
    assert r.returncode == 0, r.stderr
    alerts = [a for _, a in hook.alerts()]
    assert sorted(a["kind"] for a in alerts) == ["due", "opened"], alerts
    for a in alerts:
        assert a["window"]["deadline"] == now[:10]
        assert a["window"]["deadline_at"] == deadline_at


def overdue_alerts(hook, days_left):
    """The overdue alerts the receiver got with that days_left."""
    return [a for _, a in hook.alerts()
            if a["kind"] == "overdue" and a["days_left"] == days_left]


def test_once_queues_late_alert_on_spring_forward_day(tmp_path, hook, run):
    """notify_at 23:30 on New York's spring-forward day: at 23:30 EDT the
    day's overdue alert is due and goes out."""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred=OVERDUE_ON["2026-03-08"]))},
                     notify_at="23:30", timezone=NY,
                     reminders=REMINDERS_CALENDAR_DAYS)
    # Ten seconds early: --now is a clock that keeps running while the
    # (sanitized) binary starts up.
    r = run("--once", "-c", tree.main, "--now", "2026-03-08T23:29:50")
    assert r.returncode == 0, r.stderr
    assert overdue_alerts(hook, -2) == []
    r = run("--once", "-c", tree.main, "--now", "2026-03-08T23:30")
    assert r.returncode == 0, r.stderr
    assert len(overdue_alerts(hook, -2)) == 1, hook.alerts()
    rows = [x for x in tree.deliveries() if x["kind"] == "overdue"]
    assert [x["state"] for x in rows] == ["sent"], rows


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of proc(5); fields[0] here is field 3 (state).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def assert_idle(d, seconds=5, limit=0.5):
    """The daemon uses next to no CPU for a while."""
    before = cpu_seconds(d.pid)
    time.sleep(seconds)
    used = cpu_seconds(d.pid) - before
    assert d.running()
    assert used < limit, f"{used:.2f} s of CPU in {seconds} s:\n{d.text}"


def test_daemon_sends_late_alert_on_spring_forward_day(tmp_path, hook,
                                                       spawn):
    """A running daemon sends the 23:30 alert at 23:30 EDT on the
    spring-forward day, once."""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred=OVERDUE_ON["2026-03-08"]))},
                     notify_at="23:30", timezone=NY,
                     reminders=REMINDERS_CALENDAR_DAYS)
    d = spawn(tree, now="2026-03-08T23:29:57")
    d.wait_line(r"delivered opened for case .* to hook")
    wait_until(lambda: overdue_alerts(hook, -2), timeout=10,
               message="the overdue alert of 2026-03-08")
    req = [r for r, a in hook.alerts() if a["kind"] == "overdue"][0]
    assert req.json["sent_at"].startswith("2026-03-08T23:30:0")
    assert req.json["sent_at"].endswith("-04:00")
    assert_idle(d, seconds=2)
    assert len(overdue_alerts(hook, -2)) == 1
    d.stop()


def test_fall_back_day_alert_goes_once_without_spinning(tmp_path, hook,
                                                         spawn):
    """notify_at 09:00 on New York's fall-back day is 09:00 EST: started
    just before it, the daemon sends the alert then, once, and idles."""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred=OVERDUE_ON["2026-11-01"]))},
                     notify_at="09:00", timezone=NY,
                     reminders=REMINDERS_CALENDAR_DAYS)
    d = spawn(tree, now="2026-11-01T08:59:55")
    d.wait_line(r"delivered opened for case .* to hook")
    assert_idle(d, seconds=2)
    wait_until(lambda: overdue_alerts(hook, -2), timeout=10,
               message="the overdue alert of 2026-11-01")
    assert_idle(d)
    assert len(overdue_alerts(hook, -2)) == 1, hook.alerts()
    d.stop()


def test_repeated_hour_after_the_alert_is_idle(tmp_path, hook, spawn):
    """notify_at 01:30 on the fall-back day: started again in the repeated
    hour (01:10 EST, after 01:30 EDT), the daemon neither sends the alert
    again nor plans in a loop until the clock reads 01:30 once more."""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred=OVERDUE_ON["2026-11-01"]))},
                     notify_at="01:30", timezone=NY,
                     reminders=REMINDERS_CALENDAR_DAYS)
    d = spawn(tree, now="2026-11-01T01:29:58-04:00")
    wait_until(lambda: overdue_alerts(hook, -2), timeout=10,
               message="the overdue alert of 2026-11-01")
    d.stop()
    sent = len(hook.alerts())
    d = spawn(tree, now="2026-11-01T01:10:00-05:00")
    d.wait_line(r"started: ")
    time.sleep(0.5)
    assert_idle(d)
    assert len(hook.alerts()) == sent, hook.alerts()
    assert d.grep(r"next wake-up at 2026-11-02T01:30:00-05:00")
    d.stop()
