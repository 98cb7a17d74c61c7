"""deadlined --list [--json] --now TIME: windows, deadlines, states and
the next alert, and the command line around them."""
import json
import re
import unicodedata

import pytest

from conftest import (DEFAULT_CALENDAR, REPO, Raw, case, cases_conf,
                      main_conf, windows_conf, write_tree)

KEYS = {"case", "window", "opened", "deadline", "provisional", "days_left",
        "state", "next_alert", "next_receivers", "acknowledged_until",
        "acknowledged_by"}
RFC3339_SHANGHAI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def tree_with(tmp_path, *cases, **main):
    """A tree holding the given cases in cases.d/cases.conf."""
    return write_tree(tmp_path, main=main_conf(**main),
                      cases={"cases.conf": cases_conf(*cases)})


@pytest.fixture
def listing(run):
    """listing(tree, now, env=None): the rows of --list --json."""
    def _listing(tree, now, env=None):
        r = run("--list", "--json", "-c", tree.main, "--now", now, env=env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return _listing


@pytest.fixture
def one_row(listing):
    """one_row(tree, now): the only row of --list --json."""
    def _one_row(tree, now, **kw):
        rows = listing(tree, now, **kw)
        assert len(rows) == 1, rows
        return rows[0]
    return _one_row


A = case(id="A-1", transferred="2025-07-03")


# -- the JSON shape ----------------------------------------------------------

def test_json_rows_of_the_shipped_example(run):
    r = run("--list", "--json", "-c", REPO / "conf" / "deadlined.conf",
            "--now", "2026-11-30T08:59:50")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["case"], x["window"], x["state"]) for x in rows] == [
        ("(2026)沪0115执1234号", "decision", "due_soon"),
        ("(2026)京0105执5678号", "decision", "due_today"),
        ("(2026)粤0304执910号", "decision", "overdue"),
        ("(2026)浙0106执2468号", "decision", "open"),
        ("(2026)苏0508执1357号", "decision", "closed"),
        ("(2026)苏0508执1357号", "reasons", "overdue"),
        ("(2026)苏0508执1357号", "supervision_reply", "due_soon"),
        ("(2026)川0107执8642号", "decision", "closed"),
    ]
    # make run's moment: a timed alert of each open window at 09:00,
    # ten seconds on, but the one whose next reminder is later.
    due = [x["case"] for x in rows
           if x["next_alert"] == "2026-11-30T09:00:00+08:00"]
    assert len(due) == 4, rows
    for row in rows:
        assert set(row) == KEYS
        assert isinstance(row["days_left"], int)
        assert row["next_alert"] is None or \
            RFC3339_SHANGHAI.match(row["next_alert"]), row


def test_no_cases_is_an_empty_array(tmp_path, listing):
    tree = write_tree(tmp_path)
    assert listing(tree, "2025-07-07T10:00") == []


def test_list_of_a_broken_tree_fails(tmp_path, run):
    tree = tree_with(tmp_path, case(id="A-1", transfered="2025-07-03"))
    r = run("--list", "--json", "-c", tree.main, "--now", "2025-07-07T10:00")
    assert r.returncode == 1
    assert r.stdout == ""
    assert "transfered" in r.stderr


# -- deadlines (DOMAIN.md worked examples) -----------------------------------

@pytest.mark.parametrize("opened,deadline", [
    ("2025-07-03", "2025-07-10"),   # Thu -> Thu, a working day
    ("2025-09-26", "2025-10-09"),   # -> 10-03, in National Day 1-8 Oct
    ("2025-07-04", "2025-07-11"),   # Fri -> Fri
    ("2025-07-05", "2025-07-14"),   # Sat -> Sat 07-12, weekend -> Mon
    ("2025-09-21", "2025-09-28"),   # -> Sun 09-28, a make-up working day
])
def test_worked_examples(tmp_path, one_row, opened, deadline):
    tree = tree_with(tmp_path, case(id="A-1", transferred=opened))
    row = one_row(tree, "2025-07-01T10:00")
    assert (row["opened"], row["deadline"]) == (opened, deadline)


def test_worked_example_with_shipped_holiday_files(run):
    r = run("--list", "--json", "-c", REPO / "conf" / "deadlined.conf",
            "--now", "2026-09-26T10:00")
    assert r.returncode == 0, r.stderr
    row = [x for x in json.loads(r.stdout)
           if x["case"] == "(2026)川0107执8642号"][0]
    # 09-26 + 7 = Sat 10-03, in National Day 1-7 Oct: Thu 10-08.
    assert row["deadline"] == "2026-10-08"
    assert row["days_left"] == 12


def test_roll_none_on_a_window_keeps_a_weekend_deadline(tmp_path, one_row):
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-05"),
                     windows=windows_conf(roll="none"))
    assert one_row(tree, "2025-07-06T10:00")["deadline"] == "2025-07-12"


def test_global_roll_none(tmp_path, one_row):
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-05"),
                     calendar='{\n  roll = "none";\n}')
    assert one_row(tree, "2025-07-06T10:00")["deadline"] == "2025-07-12"


# -- states over time --------------------------------------------------------

@pytest.mark.parametrize("now,state,days_left", [
    ("2025-07-04T10:00", "open", 6),
    ("2025-07-06T23:59", "open", 4),
    ("2025-07-07T00:00", "due_soon", 3),
    ("2025-07-07T10:00", "due_soon", 3),
    ("2025-07-09T10:00", "due_soon", 1),
    ("2025-07-10T10:00", "due_today", 0),
    ("2025-07-10T23:59:59", "due_today", 0),
    ("2025-07-11T00:00", "overdue", -1),
    ("2025-07-11T10:00", "overdue", -1),
    ("2025-09-01T10:00", "overdue", -53),
])
def test_state_over_time(tmp_path, one_row, now, state, days_left):
    row = one_row(tree_with(tmp_path, A), now)
    assert (row["state"], row["days_left"]) == (state, days_left)
    assert row["deadline"] == "2025-07-10"


def test_due_soon_follows_the_largest_reminder(tmp_path, one_row):
    tree = tree_with(tmp_path, A, reminders='{ on = "calendar_days"; '
                                            'before = [ 1, 5 ]; }')
    assert one_row(tree, "2025-07-05T10:00")["state"] == "due_soon"
    assert one_row(tree, "2025-07-04T10:00")["state"] == "open"


def test_due_soon_follows_the_earliest_reminder_day(tmp_path, one_row):
    # On working days the 5-day reminder (Sat 07-05) goes out on Fri
    # 07-04: the window is due soon from then.
    tree = tree_with(tmp_path, A, reminders="{ before = [ 1, 5 ]; }")
    row = one_row(tree, "2025-07-04T10:00")
    assert (row["state"], row["days_left"]) == ("due_soon", 6)
    assert one_row(tree, "2025-07-03T10:00")["state"] == "open"


@pytest.mark.parametrize("now", ["2025-07-07T10:00", "2025-07-20T10:00"])
def test_filed_case_is_closed_without_next_alert(tmp_path, one_row, now):
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-03",
                                    filed="2025-07-06"))
    row = one_row(tree, now)
    assert row["state"] == "closed"
    assert row["next_alert"] is None


# -- the next alert ----------------------------------------------------------

@pytest.mark.parametrize("now,next_alert", [
    ("2025-07-04T10:00", "2025-07-07T09:00:00+08:00"),   # 3 days before
    ("2025-07-07T08:59", "2025-07-07T09:00:00+08:00"),   # today, still ahead
    ("2025-07-07T09:01", "2025-07-09T09:00:00+08:00"),   # 1 day before
    ("2025-07-09T10:00", "2025-07-10T09:00:00+08:00"),   # on the day
    ("2025-07-10T10:00", "2025-07-11T09:00:00+08:00"),   # first overdue
    ("2025-07-20T10:00", "2025-07-21T09:00:00+08:00"),   # every day
    ("2025-08-09T08:00", "2025-08-09T09:00:00+08:00"),   # the 30th, last
    ("2025-08-09T10:00", None),                          # overdue_max
    ("2025-12-01T10:00", None),
])
def test_next_alert(tmp_path, one_row, now, next_alert):
    tree = tree_with(tmp_path, A, reminders='{ on = "calendar_days"; }')
    assert one_row(tree, now)["next_alert"] == next_alert


@pytest.mark.parametrize("now,next_alert", [
    ("2025-07-04T10:00", "2025-07-07T09:00:00+08:00"),   # 3 days before
    ("2025-07-11T10:00", "2025-07-14T09:00:00+08:00"),   # weekend: Monday
    ("2025-07-12T10:00", "2025-07-14T09:00:00+08:00"),
    ("2025-07-14T10:00", "2025-07-15T09:00:00+08:00"),   # one, not three
    ("2025-08-08T10:00", "2025-08-11T09:00:00+08:00"),   # Sat 08-09, moved
    ("2025-08-11T10:00", None),                          # overdue_max
])
def test_next_alert_on_working_days(tmp_path, one_row, now, next_alert):
    assert one_row(tree_with(tmp_path, A), now)["next_alert"] == next_alert


def test_notify_at_moves_the_next_alert(tmp_path, one_row):
    tree = tree_with(tmp_path, A, notify_at="18:30")
    row = one_row(tree, "2025-07-07T10:00")
    assert row["next_alert"] == "2025-07-07T18:30:00+08:00"
    row = one_row(tree, "2025-07-07T18:31")
    assert row["next_alert"] == "2025-07-09T18:30:00+08:00"


def test_overdue_once(tmp_path, one_row):
    tree = tree_with(tmp_path, A, reminders="{ overdue_every = 0; }")
    assert one_row(tree, "2025-07-10T10:00")["next_alert"] == \
        "2025-07-11T09:00:00+08:00"
    assert one_row(tree, "2025-07-11T10:00")["next_alert"] is None


def test_overdue_every_three_days(tmp_path, one_row):
    tree = tree_with(tmp_path, A,
                     reminders="{ overdue_every = 3; overdue_max = 7; }")
    # Overdue alerts on 07-11, 07-14 and 07-17 (7 days after), then none.
    assert one_row(tree, "2025-07-11T10:00")["next_alert"] == \
        "2025-07-14T09:00:00+08:00"
    assert one_row(tree, "2025-07-15T10:00")["next_alert"] == \
        "2025-07-17T09:00:00+08:00"
    assert one_row(tree, "2025-07-17T10:00")["next_alert"] is None


def test_no_reminder_on_or_before_the_opening_day(tmp_path, one_row):
    # A 1-day window opened 07-07: reminders 3 and 1 days before the
    # deadline (07-05, 07-07) fall on or before the opening day.
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-07"),
                     windows=windows_conf(days=1))
    row = one_row(tree, "2025-07-07T08:00")
    assert row["deadline"] == "2025-07-08"
    assert row["next_alert"] == "2025-07-08T09:00:00+08:00"


def test_window_reminders_override_global_ones(tmp_path, one_row):
    # The window's own `on` too: in calendar days, 07-05 is a Saturday.
    tree = tree_with(tmp_path, A, windows=windows_conf(
        reminders=Raw('{ on = "calendar_days"; before = [ 5 ]; '
                      'on_due_day = false; }')))
    row = one_row(tree, "2025-07-04T10:00")
    assert (row["state"], row["next_alert"]) == \
        ("open", "2025-07-05T09:00:00+08:00")
    assert one_row(tree, "2025-07-05T10:00")["state"] == "due_soon"
    # no alert on the day: the next one is the first overdue
    row = one_row(tree, "2025-07-06T10:00")
    assert row["next_alert"] == "2025-07-11T09:00:00+08:00"


def test_before_working_and_before_replace_each_other(tmp_path, one_row):
    # Global: 2 working days before Thu 07-10 is Tue 07-08; the window's
    # own `before` (calendar days) replaces it: Wed 07-09.
    tree = tree_with(tmp_path, A, reminders="{ before_working = [ 2 ]; }")
    assert one_row(tree, "2025-07-04T10:00")["next_alert"] == \
        "2025-07-08T09:00:00+08:00"
    tree = tree_with(tmp_path, A, reminders="{ before_working = [ 2 ]; }",
                     windows=windows_conf(
                         reminders=Raw("{ before = [ 1 ]; }")))
    assert one_row(tree, "2025-07-04T10:00")["next_alert"] == \
        "2025-07-09T09:00:00+08:00"


@pytest.mark.parametrize("now,next_alert", [
    ("2025-07-07T00:59Z", "2025-07-07T09:00:00+08:00"),   # 08:59 local
    ("2025-07-07T01:01Z", "2025-07-09T09:00:00+08:00"),   # 09:01 local
    ("2025-07-06T19:59-05:00", "2025-07-07T09:00:00+08:00"),
    ("2025-07-07T01:01+00:00", "2025-07-09T09:00:00+08:00"),
    ("2025-07-07T09:01:00+08:00", "2025-07-09T09:00:00+08:00"),
])
def test_now_with_an_explicit_offset(tmp_path, one_row, now, next_alert):
    row = one_row(tree_with(tmp_path, A), now)
    assert row["next_alert"] == next_alert
    assert row["days_left"] == 3


def test_now_utc_equals_local(tmp_path, run):
    tree = tree_with(tmp_path, A)
    outs = {run("--list", "--json", "-c", tree.main, "--now", now).stdout
            for now in ("2025-07-07T01:00Z", "2025-07-07T09:00",
                        "2025-07-07T09:00:00+08:00")}
    assert len(outs) == 1, outs


def test_configured_zone_sets_the_offset(tmp_path, one_row):
    tree = tree_with(tmp_path, A, timezone="UTC")
    row = one_row(tree, "2025-07-04T10:00")
    assert row["next_alert"] in ("2025-07-07T09:00:00+00:00",
                                 "2025-07-07T09:00:00Z")


@pytest.mark.parametrize("args", [["--json"], []])
def test_machine_time_zone_does_not_matter(tmp_path, run, args):
    tree = tree_with(tmp_path, A,
                     case(id="B-1", transferred="2025-07-05",
                          not_filed="2025-07-08"))
    outs = {}
    for tz in ("America/New_York", "UTC", "Pacific/Kiritimati", None):
        r = run("--list", *args, "-c", tree.main, "--now", "2025-07-07T08:30",
                env={"TZ": tz})
        assert r.returncode == 0, r.stderr
        outs[tz] = r.stdout
    assert len(set(outs.values())) == 1, outs
    assert "2025-07-07T09:00:00+08:00" in outs[None]


# -- extension and follow-up windows -----------------------------------------

@pytest.mark.parametrize("opened,extended,deadline", [
    ("2025-07-05", "2025-07-08", "2025-08-04"),   # +30 = Mon 08-04
    ("2025-07-03", "2025-07-08", "2025-08-04"),   # Sat 08-02 -> Mon 08-04
    ("2025-09-08", "2025-09-09", "2025-10-09"),   # 10-08 National Day
])
def test_extended_deadline_is_opened_plus_30_rolled(tmp_path, one_row,
                                                    opened, extended,
                                                    deadline):
    tree = tree_with(tmp_path, case(id="A-1", transferred=opened,
                                    extended=extended))
    row = one_row(tree, "2025-07-01T10:00")
    assert row["opened"] == opened
    assert row["deadline"] == deadline


def test_not_filed_closes_decision_and_opens_reasons(tmp_path, listing):
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-03",
                                    not_filed="2025-07-09"))
    rows = listing(tree, "2025-07-10T10:00")
    assert [(r["window"], r["state"]) for r in rows] == [
        ("decision", "closed"), ("reasons", "open")]
    decision, reasons = rows
    assert decision["next_alert"] is None
    assert reasons["opened"] == "2025-07-09"
    assert reasons["deadline"] == "2025-07-16"
    assert reasons["days_left"] == 6
    # Its 3-day reminder (Sunday 07-13) goes out on Friday 07-11.
    assert reasons["next_alert"] == "2025-07-11T09:00:00+08:00"


def test_reasons_received_closes_reasons(tmp_path, listing):
    tree = tree_with(tmp_path, case(id="A-1", transferred="2025-07-03",
                                    not_filed="2025-07-09",
                                    reasons_received="2025-07-11"))
    rows = listing(tree, "2025-07-20T10:00")
    assert [(r["window"], r["state"], r["next_alert"]) for r in rows] == [
        ("decision", "closed", None), ("reasons", "closed", None)]


# -- the table ---------------------------------------------------------------

def display_width(s):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in s)


def column_starts(line):
    """The display columns at which the cells of a table line start
    (cells are separated by two or more spaces)."""
    return [0] + [display_width(line[:m.end()])
                  for m in re.finditer(r"\s{2,}", line)]


def test_table_aligns_chinese_case_ids(tmp_path, run):
    tree = tree_with(tmp_path,
                     case(id="(2025)沪0115执1234号", transferred="2025-07-03"),
                     case(id="A-1", transferred="2025-09-26"),
                     case(id="（2025）京01执5号", transferred="2025-07-05",
                          not_filed="2025-07-08"),
                     case(id="案", transferred="2025-07-04"))
    r = run("--list", "-c", tree.main, "--now", "2025-07-07T10:00")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 + 5
    assert lines[0].split()[:2] == ["CASE", "WINDOW"]
    starts = [column_starts(line) for line in lines]
    assert all(len(s) == 9 for s in starts), lines
    assert all(s == starts[0] for s in starts), "\n".join(lines)


def test_table_rows_match_json(tmp_path, run):
    tree = tree_with(tmp_path, A, case(id="B-1", transferred="2025-07-03",
                                       filed="2025-07-04"))
    args = ("-c", tree.main, "--now", "2025-07-07T10:00")
    table = run("--list", *args).stdout.splitlines()[1:]
    rows = json.loads(run("--list", "--json", *args).stdout)
    for line, row in zip(table, rows, strict=True):
        cells = re.split(r"\s{2,}", line.rstrip())
        mark = "?" if row["provisional"] else ""
        assert cells[:6] == [row["case"], row["window"], row["opened"],
                             row["deadline"] + mark, str(row["days_left"]),
                             row["state"]]
        assert cells[6] == (row["next_alert"] or "-")
        assert cells[7] == (",".join(row["next_receivers"]) or "-")
        assert cells[8] == (row["acknowledged_until"] or "-")


# -- provisional deadlines -------------------------------------------------

# The test calendar lists 2025's holidays only: a deadline in 2026 may
# still move once the 2026 notice is put in.
LATE = case(id="L-1", transferred="2025-12-29")  # deadline 2026-01-05


def test_deadline_in_an_uncovered_year_is_provisional(tmp_path, listing):
    rows = listing(tree_with(tmp_path, A, LATE), "2025-12-30T10:00")
    assert [(r["case"], r["deadline"], r["provisional"]) for r in rows] == [
        ("A-1", "2025-07-10", False), ("L-1", "2026-01-05", True)]


def test_closed_or_unrolled_window_is_not_provisional(tmp_path, listing):
    closed = case(id="C-1", transferred="2025-12-29", filed="2025-12-30")
    rows = listing(tree_with(tmp_path, closed), "2025-12-30T10:00")
    assert rows[0]["provisional"] is False
    rows = listing(tree_with(tmp_path, LATE, calendar=DEFAULT_CALENDAR.replace(
        '"next_working_day"', '"none"')), "2025-12-30T10:00")
    assert rows[0]["provisional"] is False


def test_no_calendar_days_means_nothing_is_provisional(tmp_path, listing):
    rows = listing(tree_with(tmp_path, LATE, calendar="{ }"),
                   "2025-12-30T10:00")
    assert rows[0]["provisional"] is False


def test_table_marks_a_provisional_deadline(tmp_path, run):
    tree = tree_with(tmp_path, A, LATE)
    r = run("--list", "-c", tree.main, "--now", "2025-12-30T10:00")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 + 2 + 1
    cells = [re.split(r"\s{2,}", line.rstrip()) for line in lines[1:3]]
    assert cells[0][3] == "2025-07-10"
    assert cells[1][3] == "2026-01-05?"
    starts = [column_starts(line) for line in lines[:3]]
    assert all(s == starts[0] for s in starts), "\n".join(lines)
    assert lines[3] == ("? provisional: no holiday file covers that year "
                        "yet; the deadline may move later")


def test_table_without_provisional_deadlines_has_no_note(tmp_path, run):
    tree = tree_with(tmp_path, A)
    r = run("--list", "-c", tree.main, "--now", "2025-12-30T10:00")
    assert "?" not in r.stdout


# -- the command line --------------------------------------------------------

@pytest.mark.parametrize("now", ["garbage", "tomorrow", "2025-07-07",
                                 "2025-07-07 10:00", "2025-07-07T25:00",
                                 "2025-02-30T10:00", "2025-07-07T10:00+8",
                                 "2025-07-07T10:00:60", "2025-07-07T10:00Zx",
                                 ""])
def test_now_garbage_is_a_usage_error(tmp_path, run, now):
    tree = tree_with(tmp_path, A)
    r = run("--list", "-c", tree.main, "--now", now)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "--now" in r.stderr


def test_json_without_list_is_a_usage_error(tmp_path, run):
    tree = tree_with(tmp_path, A)
    r = run("--json", "-c", tree.main)
    assert r.returncode == 2
    assert "usage:" in r.stderr


@pytest.mark.parametrize("args", [["--frobnicate"], ["-x"], ["-c"],
                                  ["--list", "stray"]])
def test_bad_command_line_prints_usage(run, args):
    r = run(*args)
    assert r.returncode == 2
    assert "usage: deadlined" in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(run, flag):
    r = run(flag)
    assert r.returncode == 0
    assert r.stdout.startswith("usage: deadlined")
    for option in ("--config", "--check", "--list", "--json", "--now"):
        assert option in r.stdout


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(run, flag):
    r = run(flag)
    assert r.returncode == 0
    assert re.fullmatch(r"deadlined \d+\.\d+\.\d+\n", r.stdout), r.stdout
