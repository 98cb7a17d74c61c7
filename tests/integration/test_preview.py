"""deadlined --preview: every alert the daemon would send in the next
days, compared alert by alert (time, receiver, kind, case, window) with
what a daemon run across the same days, day by day with --once --now,
actually sends; and that the preview changes nothing."""
import datetime
import hashlib
import json
import sqlite3

import pytest

from conftest import REPO
from daemon_helpers import Reply, case, cases_file, make_tree, q
from daemon_helpers import hook  # noqa: F401  (fixture)

HOLIDAY_FILES = [REPO / "conf" / "holidays" / "cn-2025.conf"]
CALENDAR = ("calendar = {\n  weekend = [ \"sat\", \"sun\" ];\n"
            f"  include = {q([str(p) for p in HOLIDAY_FILES])};\n"
            "  roll = \"next_working_day\";\n};")

START = datetime.datetime(2025, 9, 22, 10, 0)   # Monday, 10:00 local
DAY = datetime.timedelta(days=1)
KEY = ("at", "receiver", "kind", "case", "window")


def receiver(name, url, kinds=None):
    # group_wait = 0: --once sends announcements at once, as a daemon
    # does after group_wait; the preview then says the same time.
    extra = f" kinds = {q(list(kinds))};" if kinds else ""
    return (f'{{ name = {q(name)}; type = "webhook"; url = {q(url)}; '
            f'format = "json"; group_wait = 0;{extra} }}')


def tree_for(tmp_path, hook, kinds_b=None, **kw):
    cases = cases_file(
        # decision 09-26 -> 10-09 (National Day): one reminder, 09-30.
        case(case_id="A-1", transferred="2025-09-26"),
        # decision 09-19 -> Fri 09-26; overdue from Sat 09-27 (moved to
        # the make-up Sunday 09-28), to two receivers.
        case(case_id="B-2", transferred="2025-09-19",
             notify=["hook_a", "hook_b"]),
        # opened 10-02, in the holiday: its reminders would fall on or
        # before the opening day.
        case(case_id="C-3", transferred="2025-10-02", notify=["hook_b"]),
        # decision closed by not_filed; reasons 09-15 -> due Mon 09-22,
        # the first start's day: a catch-up.
        case(case_id="D-4", transferred="2025-09-10",
             not_filed="2025-09-15"))
    return make_tree(tmp_path, [receiver("hook_a", hook.url("/a")),
                                receiver("hook_b", hook.url("/b"), kinds_b),
                                receiver("hook_c", hook.url("/c"))],
                     ["hook_a"], {"a.conf": cases}, calendar=CALENDAR, **kw)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def preview(run, tree, now, *args):
    r = run("-c", tree.main, "--preview", "--json", "--now", rfc3339(now),
            *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def key(row):
    return tuple(row[k] for k in KEY)


def drive(run, tree, hook, times):
    """--once at each time; [(at, receiver, kind, case, window)] of what
    the receivers got, each at the --now of the run that sent it."""
    got = []
    for t in times:
        before = len(hook.alerts())
        r = run("-c", tree.main, "--once", "--now", rfc3339(t))
        assert r.returncode == 0, r.stderr
        for req, a in hook.alerts()[before:]:
            body = req.json
            assert body["sent_at"][:16] == rfc3339(t)[:16]
            got.append((rfc3339(t), body["receiver"], a["kind"],
                        a["case"]["id"], a["window"]["name"]))
    return got


def daily(first, last):
    """09:00 of every day from first's to last's."""
    day = first.replace(hour=9, minute=0, second=0)
    out = []
    while day <= last:
        out.append(day)
        day += DAY
    return out


def outbox_digest(tree):
    if not tree.outbox.exists():
        return None
    return hashlib.sha256(tree.outbox.read_bytes()).hexdigest()


def test_preview_30_days_matches_what_the_daemon_sends(tmp_path, hook, run):
    tree = tree_for(tmp_path, hook)
    end = START + 30 * DAY
    shown = preview(run, tree, START, "--days", "30")
    # Nothing was written: not even the state directory.
    assert not tree.state_dir.exists()
    assert len(shown) > 60
    assert [r["at"] for r in shown] == sorted(r["at"] for r in shown)

    times = [START] + [t for t in daily(START + DAY, end) if t < end]
    sent = drive(run, tree, hook, times)
    assert sorted(map(key, shown)) == sorted(sent)

    kinds = {r["kind"] for r in shown}
    assert kinds == {"opened", "reminder", "due", "overdue"}
    # The working-day rules are in it: nothing timed on a day off but
    # the make-up Sunday 09-28; A-1's one reminder on 09-30.
    assert [r["at"] for r in shown
            if (r["case"], r["kind"]) == ("A-1", "reminder")] == \
        ["2025-09-30T09:00:00+08:00"]
    assert not [r for r in shown if r["kind"] != "opened" and
                r["at"][:10] in ("2025-09-27", "2025-10-01", "2025-10-05",
                                 "2025-10-12")]
    assert [(r["receiver"], r["kind"]) for r in shown
            if r["at"].startswith("2025-09-28") and r["case"] == "B-2"] == \
        [("hook_a", "overdue"), ("hook_b", "overdue")]
    for r in shown:
        assert r["case"] in r["subject"], r


def test_preview_follows_the_routing(tmp_path, hook, run):
    # hook_b takes only overdue and closed alerts; once a window is 3
    # days overdue its overdue alerts also go to hook_c.
    tree = tree_for(tmp_path, hook, kinds_b=["overdue", "closed"],
                    extra='escalate = ( { overdue_days = 3; '
                          'notify = [ "hook_c" ]; } );')
    end = START + 30 * DAY
    shown = preview(run, tree, START, "--days", "30")
    sent = drive(run, tree, hook, [START] + [t for t in daily(START + DAY,
                                                              end)
                                             if t < end])
    assert sorted(map(key, shown)) == sorted(sent)
    assert {r["kind"] for r in shown if r["receiver"] == "hook_b"} == \
        {"overdue"}
    assert {r["kind"] for r in shown if r["receiver"] == "hook_c"} == \
        {"overdue"}
    assert [r for r in shown if r["receiver"] == "hook_c"
            and r["case"] == "B-2"][0]["days_left"] <= -3


def test_preview_midway_matches_list_and_daemon(tmp_path, hook, run):
    tree = tree_for(tmp_path, hook)
    mid = datetime.datetime(2025, 10, 2, 12, 0)
    drive(run, tree, hook, [START] + daily(START + DAY, mid))
    digest = outbox_digest(tree)

    shown = preview(run, tree, mid, "--days", "10")
    only_b = preview(run, tree, mid, "--days", "10", "--receiver", "hook_b")
    assert outbox_digest(tree) == digest          # read, never written
    assert only_b == [r for r in shown if r["receiver"] == "hook_b"]
    assert only_b and len(only_b) < len(shown)

    # --list's NEXT ALERT of each open window is its first timed alert in
    # the preview.
    r = run("-c", tree.main, "--list", "--json", "--now", rfc3339(mid))
    assert r.returncode == 0, r.stderr
    for row in json.loads(r.stdout):
        if row["state"] == "closed":
            continue
        first = min((p["at"] for p in shown
                     if (p["case"], p["window"]) == (row["case"],
                                                     row["window"])),
                    default=None)
        assert row["next_alert"] == first, row

    sent = drive(run, tree, hook,
                 [t for t in daily(mid + DAY, mid + 10 * DAY)
                  if t < mid + 10 * DAY])
    assert sorted(map(key, shown)) == sorted(sent)


def test_preview_shows_a_waiting_retry_at_its_next_try(tmp_path, hook, run):
    tree = tree_for(tmp_path, hook, retry=(600, 1200))
    hook.default = Reply(status=503)
    r = run("-c", tree.main, "--once", "--now", rfc3339(START))
    assert r.returncode == 1                      # refused, waits to retry
    con = sqlite3.connect(f"file:{tree.outbox}?mode=ro", uri=True)
    try:
        waiting = con.execute(
            "SELECT d.receiver, a.kind, a.case_id, d.next_try FROM "
            "deliveries d JOIN alerts a ON a.id = d.alert_id WHERE "
            "d.state = 'pending'").fetchall()
    finally:
        con.close()
    assert len(waiting) >= 5
    shown = preview(run, tree, START, "--days", "1")
    for receiver_name, kind, case_id, next_try in waiting:
        at = datetime.datetime.fromtimestamp(
            next_try, datetime.timezone(datetime.timedelta(hours=8)))
        want = (at.strftime("%Y-%m-%dT%H:%M:%S+08:00"), receiver_name,
                kind, case_id)
        assert want in [key(x)[:4] for x in shown], (want, shown)
    # Each waiting delivery once, not again as new.
    assert len([x for x in shown if x["at"] < rfc3339(START + DAY)
                and x["kind"] == "opened"]) == \
        len([w for w in waiting if w[1] == "opened"])


@pytest.mark.parametrize("args,code,phrase", [
    (["--days", "0"], 2, "--days '0' is not a number of days"),
    (["--days", "x"], 2, "--days 'x' is not a number of days"),
    (["--receiver", "nobody"], 1, "no receiver named 'nobody'"),
])
def test_preview_bad_arguments(tmp_path, hook, run, args, code, phrase):
    tree = tree_for(tmp_path, hook)
    r = run("-c", tree.main, "--preview", *args)
    assert r.returncode == code
    assert phrase in r.stderr


def test_days_without_preview_is_a_usage_error(tmp_path, hook, run):
    tree = tree_for(tmp_path, hook)
    r = run("-c", tree.main, "--days", "3")
    assert r.returncode == 2
    assert "--days and --receiver go with --preview" in r.stderr


def test_preview_table(tmp_path, hook, run):
    tree = tree_for(tmp_path, hook)
    r = run("-c", tree.main, "--preview", "--now", rfc3339(START))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["WHEN", "RECEIVER", "KIND", "CASE",
                                "WINDOW", "SUBJECT"]
    assert any("A-1" in line and "opened" in line for line in lines[1:])


def test_preview_reports_on_stdout_only(tmp_path, hook, run):
    # The planner's notices ("... told 1 receiver") concern the private
    # copy: a preview shows the alert on stdout and says nothing on
    # stderr, unless -v asks for everything.
    tree = tree_for(tmp_path, hook)
    r = run("-c", tree.main, "--once", "--now", rfc3339(START))
    assert r.returncode == 0, r.stderr
    tree.write_case_file("a.conf", cases_file(
        case(case_id="B-2", transferred="2025-09-19",
             notify=["hook_a", "hook_b"]),
        case(case_id="C-3", transferred="2025-10-02", notify=["hook_b"]),
        case(case_id="D-4", transferred="2025-09-10",
             not_filed="2025-09-15")))
    args = ("-c", tree.main, "--preview", "--json", "--now",
            rfc3339(START + DAY))
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    removed = [x for x in json.loads(r.stdout) if x["kind"] == "removed"]
    assert {x["case"] for x in removed} == {"A-1"}
    r = run("-v", *args)
    assert r.returncode == 0, r.stderr
    assert "case A-1 window decision is no longer configured" in r.stderr
