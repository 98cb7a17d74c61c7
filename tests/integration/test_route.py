"""Routing (issue 12): a receiver's `kinds`, escalation steps that add
receivers to a window's overdue alerts once it has been overdue so many
days (and tell them when it closes), and `acknowledged`, which pauses
overdue repeats for ack_days days.

Each day is a `--once --now` run on the same state directory, as a
daemon restarted at that moment would behave; what arrives at the real
HTTP receiver is checked day by day, with its sent_at time.  The days
run through weekends, so the reminders are counted in calendar days
(reminders.on), not moved to working days: routing is what is tested."""
import datetime
import json
import sqlite3

from conftest import assert_error, assert_failed
from daemon_helpers import (CASE_ID, REMINDERS_CALENDAR_DAYS, Reply, case,
                            cases_file, make_tree, q)
from daemon_helpers import hook  # noqa: F401  (fixture)


def receiver(hook, name, kinds=None):
    """A json webhook receiver at /NAME, taking kinds (None: all)."""
    text = (f'{{ name = {q(name)}; type = "webhook"; '
            f'url = {q(hook.url("/" + name))}; format = "json";')
    if kinds is not None:
        text += f" kinds = {q(list(kinds))};"
    return text + " }"


def once(run, tree, now):
    r = run("-c", tree.main, "--once", "--now", now)
    assert r.returncode == 0, r.stderr
    return r


def days(first, last):
    d = datetime.date.fromisoformat(first)
    end = datetime.date.fromisoformat(last)
    while d <= end:
        yield d.isoformat()
        d += datetime.timedelta(days=1)


def got(hook, name, seen=0):
    """[(kind, days_left, sent_at, alert)] that /NAME got, from the
    seen'th on."""
    out = []
    for req in hook.snapshot("/" + name):
        for a in req.alerts:
            out.append((a["kind"], a["days_left"], req.json["sent_at"], a))
    return out[seen:]


def outbox_receivers(tree):
    con = sqlite3.connect(f"file:{tree.outbox}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT a.kind, d.receiver FROM deliveries d"
            " JOIN alerts a ON a.id = d.alert_id ORDER BY d.rowid"
        ).fetchall()
    finally:
        con.close()


# -- kinds -------------------------------------------------------------------

def test_kinds_filter_what_a_receiver_takes(tmp_path, hook, run):
    tree = make_tree(
        tmp_path, [receiver(hook, "clerk"),
                   receiver(hook, "lawyer", ["overdue", "closed"])],
        ["clerk", "lawyer"],
        {"a.conf": cases_file(case(transferred="2025-07-03"))},
        reminders=REMINDERS_CALENDAR_DAYS)
    # opened, the reminders of 07-07 and 07-09, due on 07-10, overdue
    # on 07-11 and 07-12.
    for now in ("2025-07-04T10:00", "2025-07-07T09:00:30",
                "2025-07-09T09:00:30", "2025-07-10T09:00:30",
                "2025-07-11T09:00:30", "2025-07-12T09:00:30"):
        once(run, tree, now)
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", filed="2025-07-12")))
    once(run, tree, "2025-07-12T15:00")
    assert [k for k, *_ in got(hook, "clerk")] == [
        "opened", "reminder", "reminder", "due", "overdue", "overdue",
        "closed"]
    assert [(k, left) for k, left, *_ in got(hook, "lawyer")] == [
        ("overdue", -1), ("overdue", -2), ("closed", -2)]
    # What a receiver does not take is not queued for it at all.
    assert [k for k, r in outbox_receivers(tree) if r == "lawyer"] == [
        "overdue", "overdue", "closed"]


# -- escalation ----------------------------------------------------------------

ESCALATE = """escalate = (
  { overdue_days = 3; notify = [ "procuratorate" ]; },
  { overdue_days = 10; notify = [ "court-head" ]; }
);"""


def escalation_tree(tmp_path, hook, extra=ESCALATE):
    return make_tree(
        tmp_path, [receiver(hook, "clerk"), receiver(hook, "procuratorate"),
                   receiver(hook, "court-head")],
        ["clerk"], {"a.conf": cases_file(case(transferred="2025-07-03"))},
        extra=extra,
        reminders=REMINDERS_CALENDAR_DAYS)


def test_two_escalation_steps_day_by_day(tmp_path, hook, run):
    tree = escalation_tree(tmp_path, hook)
    once(run, tree, "2025-07-04T10:00")     # opened: the clerk only
    seen = {"clerk": 1, "procuratorate": 0, "court-head": 0}
    # The deadline is 2025-07-10: overdue from 07-11, 1 day a day.
    for day in days("2025-07-11", "2025-07-22"):
        overdue = (datetime.date.fromisoformat(day) -
                   datetime.date(2025, 7, 10)).days
        once(run, tree, f"{day}T08:59:00")  # not yet: nothing new
        for name in seen:
            assert got(hook, name, seen[name]) == [], (day, name)
        once(run, tree, f"{day}T09:00:30")
        want = {"clerk": True, "procuratorate": overdue >= 3,
                "court-head": overdue >= 10}
        for name, told in want.items():
            new = got(hook, name, seen[name])
            assert len(new) == (1 if told else 0), (day, name, new)
            if not told:
                continue
            kind, left, sent_at, alert = new[0]
            assert (kind, left) == ("overdue", -overdue), (day, name)
            assert sent_at.startswith(f"{day}T09:00:"), sent_at
            seen[name] += 1
            esc = alert.get("escalation")
            if overdue < 3:
                assert esc is None, alert
                continue
            # Every escalated alert says so; the first one to a receiver
            # names it in "first".
            assert esc["overdue_since"] == "2025-07-11"
            assert esc["step"] == (2 if overdue >= 10 else 1)
            assert esc["overdue_days"] == (10 if overdue >= 10 else 3)
            first = {3: ["procuratorate"], 10: ["court-head"]}.get(overdue,
                                                                   [])
            assert esc["first"] == first, (day, esc)
    # 12 days overdue: the procurator heard from day 3 on, the head from
    # day 10 on.
    assert seen == {"clerk": 13, "procuratorate": 10, "court-head": 3}


def test_escalation_first_to_a_receiver_that_was_down(tmp_path, hook, run):
    # The procuratorate is down on 07-13, its first escalated day: that
    # alert waits, then the next day's supersedes it.  The one it does
    # get is still the first it gets, and says so.
    tree = escalation_tree(tmp_path, hook)
    once(run, tree, "2025-07-04T10:00")
    for day in days("2025-07-11", "2025-07-12"):
        once(run, tree, f"{day}T09:00:30")
    hook.responder = lambda req: Reply(
        status=503 if req.path.startswith("/procuratorate") else 200)
    r = run("-c", tree.main, "--once", "--now", "2025-07-13T09:00:30")
    assert r.returncode == 1, r.stderr       # the procuratorate waits
    hook.responder = None
    once(run, tree, "2025-07-14T09:00:30")
    sent = [a for req, a in hook.alerts("/procuratorate")
            if req.reply.status == 200]
    assert [(a["kind"], a["days_left"]) for a in sent] == [("overdue", -4)]
    assert sent[0]["escalation"]["first"] == ["procuratorate"], sent[0]
    rows = [x for x in tree.deliveries() if x["receiver"] == "procuratorate"]
    assert sorted(x["state"] for x in rows) == ["cancelled", "sent"], rows


def test_closing_after_escalation_tells_the_escalated(tmp_path, hook, run):
    tree = escalation_tree(tmp_path, hook)
    once(run, tree, "2025-07-04T10:00")
    for day in days("2025-07-11", "2025-07-14"):
        once(run, tree, f"{day}T09:00:30")
    assert len(got(hook, "procuratorate")) == 2   # 07-13 and 07-14
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", not_filed="2025-07-14")))
    once(run, tree, "2025-07-14T16:00")
    for name in ("clerk", "procuratorate"):
        [closed] = [a for k, _, _, a in got(hook, name) if k == "closed"]
        assert closed["window"]["name"] == "decision"
        assert closed["window"]["closed_by"] == "not_filed"
    # The reasons window it opens goes to the case's receivers: it was
    # never escalated.
    assert [a["window"]["name"] for k, _, _, a in got(hook, "clerk")
            if k == "opened"] == ["decision", "reasons"]
    assert [k for k, *_ in got(hook, "procuratorate")] == [
        "overdue", "overdue", "closed"]
    # Never escalated to: not told.
    assert got(hook, "court-head") == []


def test_list_names_the_next_alerts_receivers(tmp_path, hook, run):
    tree = escalation_tree(tmp_path, hook)

    def row(now):
        r = run("--list", "--json", "-c", tree.main, "--now", now)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)[0]

    assert row("2025-07-11T10:00")["next_receivers"] == ["clerk"]
    r = row("2025-07-12T10:00")          # next: 07-13, 3 days overdue
    assert r["next_alert"] == "2025-07-13T09:00:00+08:00"
    assert r["next_receivers"] == ["clerk", "procuratorate"]
    assert row("2025-07-19T10:00")["next_receivers"] == [
        "clerk", "procuratorate", "court-head"]
    table = run("--list", "-c", tree.main, "--now", "2025-07-19T10:00")
    header, line = table.stdout.splitlines()
    assert header.split()[-3:] == ["TO", "ACKED", "UNTIL"]
    assert line.split()[-2:] == ["clerk,procuratorate,court-head", "-"]


# -- acknowledgement -----------------------------------------------------------

def test_acknowledgement_pauses_then_resumes_overdue(tmp_path, hook, run):
    tree = escalation_tree(tmp_path, hook, extra="")
    once(run, tree, "2025-07-04T10:00")
    acked = cases_file(case(transferred="2025-07-03",
                            acknowledged="2025-07-14",
                            acknowledged_by="Judge Wang"))
    arrived = []
    for day in days("2025-07-11", "2025-07-23"):
        if day == "2025-07-14":
            tree.write_case_file("a.conf", acked)
        before = len(got(hook, "clerk"))
        once(run, tree, f"{day}T09:00:30")
        for kind, left, sent_at, _ in got(hook, "clerk", before):
            assert kind == "overdue" and sent_at.startswith(day)
            arrived.append(day)
    # Paused for 7 days from 07-14 (through 07-20), then resumed.
    assert arrived == ["2025-07-11", "2025-07-12", "2025-07-13",
                       "2025-07-21", "2025-07-22", "2025-07-23"]
    r = run("--list", "--json", "-c", tree.main, "--now", "2025-07-15T10:00")
    [row] = json.loads(r.stdout)
    assert row["acknowledged_until"] == "2025-07-20"
    assert row["acknowledged_by"] == "Judge Wang"
    assert row["next_alert"] == "2025-07-21T09:00:00+08:00"


def test_ack_days_is_a_reminders_setting(tmp_path, hook, run):
    tree = escalation_tree(tmp_path, hook, extra="")
    text = tree.main.read_text().replace("overdue_max   = 30;",
                                         "overdue_max   = 30; ack_days = 2;")
    tree.main.write_text(text)
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", acknowledged="2025-07-12")))
    r = run("--list", "--json", "-c", tree.main, "--now", "2025-07-12T10:00")
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert row["acknowledged_until"] == "2025-07-13"
    assert row["next_alert"] == "2025-07-14T09:00:00+08:00"
    assert row["acknowledged_by"] is None


# -- -t ------------------------------------------------------------------------

def test_check_reports_routing_errors_where_they_are(tmp_path, hook, run):
    main_extra = """escalate = (
  { overdue_days = 3; notify = [ "procuratorate" ]; },
  { overdue_days = 3; notify = [ "nobody" ]; },
  { overdue_days = 0; notify = [ "court-head" ]; }
);"""
    tree = make_tree(
        tmp_path, [receiver(hook, "clerk", ["overdue", "closd"]),
                   receiver(hook, "procuratorate"),
                   receiver(hook, "court-head", ["closed"])],
        ["clerk"], {"a.conf": cases_file(
            case(transferred="2025-07-03", acknowledged_by="Judge Wang"))},
        extra=main_extra)
    r = run("-t", "-c", tree.main)
    assert_failed(r)
    lines = tree.main.read_text().splitlines()

    def line_of(needle):
        [n] = [i for i, s in enumerate(lines, 1) if needle in s]
        return n

    main = tree.main
    assert f"{main}:{line_of('closd')}: receiver 'clerk': unknown kind " \
        "'closd' in 'kinds': did you mean 'closed'? (reminder, due, overdue, opened, extended, " \
        "closed, moved, removed)" in r.stderr.splitlines()
    assert_error(r, main, line_of('"nobody"'),
                 "unknown receiver 'nobody' in 'notify'")
    second = line_of('{ overdue_days = 3; notify = [ "nobody" ]')
    assert f"{main}:{second}: escalate step 2: 'overdue_days' (3) must be " \
        "more than step 1's (3)" in r.stderr.splitlines()
    third = line_of("overdue_days = 0")
    assert f"{main}:{third}: escalate step 3: 'overdue_days' must be at " \
        "least 1 (days after the deadline), not 0" in r.stderr.splitlines()
    assert_error(r, main, third, "receiver 'court-head' does not take "
                 "overdue alerts")
    cases = tree.cases_dir / "a.conf"
    ack = [i for i, s in enumerate(cases.read_text().splitlines(), 1)
           if "acknowledged_by" in s][0]
    assert f"{cases}:{ack}: case \"{CASE_ID}\": 'acknowledged_by' " \
        "without 'acknowledged' (the date)" in r.stderr.splitlines()


def test_check_reports_a_window_escalation_and_unknown_keys(tmp_path, hook,
                                                            run):
    tree = escalation_tree(tmp_path, hook, extra="")
    text = tree.main.read_text().replace(
        'days = 7; }};\n}};'.replace("}}", "}"),
        'days = 7;\n    escalate = ( { overdue_days = 2; notfy = [ "x" ]; } );'
        ' };\n};')
    tree.main.write_text(text)
    r = run("-t", "-c", tree.main)
    assert_failed(r)
    n = [i for i, s in enumerate(text.splitlines(), 1) if "notfy" in s][0]
    assert_error(r, tree.main, n, "unknown key 'notfy'")
    assert_error(r, tree.main, n,
                 "window 'reasons': escalate step 1 has no 'notify'")


def test_check_accepts_routing_and_warns_of_an_unreached_step(tmp_path, hook,
                                                              run):
    tree = escalation_tree(tmp_path, hook, extra=ESCALATE.replace(
        "overdue_days = 10", "overdue_days = 40"))
    r = run("-t", "-c", tree.main, "--now", "2025-07-20T10:00")
    assert r.returncode == 0, r.stderr
    n = [i for i, s in enumerate(tree.main.read_text().splitlines(), 1)
         if "overdue_days = 40" in s][0]
    assert f"{tree.main}:{n}: warning: window 'decision': escalate step 2 " \
        "(overdue_days = 40) is never reached" in r.stderr
