"""Every change to a window is announced, and truthfully: a deadline that
moves later is `extended`, one that moves earlier is `moved`, both with
the previous deadline; undoing is announced (a reopened window, an
extension recorded again); `closed` names the event that closed it and
the windows it opens; a case no longer configured is `removed` and its
waiting alerts never go out; a delivery that leaves late says where the
window stands today, and after an outage a receiver hears once per
window.

Each step is a `--once --now` run on the same state directory, as a
daemon restarted at that moment would behave."""
import csv
import io
import sqlite3

from daemon_helpers import (CASE_ID, DECISION_TITLE, REASONS_TITLE,
                            REMINDERS_CALENDAR_DAYS, Reply, case, cases_file,
                            make_tree, webhook_receiver)
from daemon_helpers import hook  # noqa: F401  (fixture)


def once(run, tree, now):
    r = run("-c", tree.main, "--once", "--now", now)
    return r


def table_rows(con, table):
    """Every row of table in rowid order, as {column: value} with the
    rowid as "rowid_"."""
    cur = con.execute(f"SELECT rowid AS rowid_, * FROM {table}"
                      " ORDER BY rowid")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur]


def kept(before, after):
    """Whether each row of before is in after at its place, every column
    it had holding the same value (a migration may add columns, and
    the daemon rows after them)."""
    return len(after) >= len(before) and all(
        {k: a[k] for k in b} == b for b, a in zip(before, after))


LATEST_SCHEMA = 5


def new_alerts(hook, seen):
    """The alerts the receiver got since `seen` of them."""
    got = [a for _, a in hook.alerts()]
    return got[seen:]


def test_extension_removed_is_moved_and_recorded_again_is_extended(
        tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    assert once(run, tree, "2025-07-04T10:00").returncode == 0
    assert [a["kind"] for _, a in hook.alerts()] == ["opened"]

    # The 30-day period approved: extended, 07-10 -> 08-04 (Sat 08-02
    # rolls to Mon 08-04).
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", extended="2025-07-04")))
    assert once(run, tree, "2025-07-04T11:00").returncode == 0
    [ext] = new_alerts(hook, 1)
    assert ext["kind"] == "extended"
    assert ext["window"]["deadline"] == "2025-08-04"
    assert ext["window"]["previous_deadline"] == "2025-07-10"
    assert "calendar_changed" not in ext

    # The extension was entered by mistake: removed again.  The deadline
    # moves earlier, which is never called an extension.
    tree.write_case_file("a.conf", cases_file(case(transferred="2025-07-03")))
    assert once(run, tree, "2025-07-04T12:00").returncode == 0
    [moved] = new_alerts(hook, 2)
    assert moved["kind"] == "moved"
    assert moved["window"]["deadline"] == "2025-07-10"
    assert moved["window"]["previous_deadline"] == "2025-08-04"

    # Recorded again: announced again, under a new id.
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", extended="2025-07-04")))
    assert once(run, tree, "2025-07-04T13:00").returncode == 0
    [again] = new_alerts(hook, 3)
    assert again["kind"] == "extended"
    assert again["window"]["previous_deadline"] == "2025-07-10"
    assert again["id"] != ext["id"]

    # Nothing changed: nothing more.
    assert once(run, tree, "2025-07-04T14:00").returncode == 0
    assert len(hook.alerts()) == 4


def test_closed_names_its_event_and_reopening_is_announced(tmp_path, hook,
                                                           run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    assert once(run, tree, "2025-07-04T10:00").returncode == 0
    [opened] = new_alerts(hook, 0)
    assert opened["kind"] == "opened" and "reopened" not in opened

    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", not_filed="2025-07-05")))
    assert once(run, tree, "2025-07-05T10:00").returncode == 0
    got = {(a["window"]["name"], a["kind"]): a for a in new_alerts(hook, 1)}
    assert set(got) == {("decision", "closed"), ("reasons", "opened")}
    closed = got["decision", "closed"]
    assert closed["window"]["closed_by"] == "not_filed"
    assert closed["window"]["closed_on"] == "2025-07-05"
    assert closed["window"]["follow_up"] == [
        {"name": "reasons", "title": REASONS_TITLE}]

    # not_filed was a mistake: removed again.  decision reopens; the
    # reasons window it had opened is no longer watched.
    tree.write_case_file("a.conf", cases_file(case(transferred="2025-07-03")))
    assert once(run, tree, "2025-07-05T11:00").returncode == 0
    got = {(a["window"]["name"], a["kind"]): a for a in new_alerts(hook, 3)}
    assert set(got) == {("decision", "opened"), ("reasons", "removed")}
    reopened = got["decision", "opened"]
    assert reopened["reopened"] is True
    assert reopened["id"] != opened["id"]
    assert reopened["window"]["title"] == DECISION_TITLE

    # And closed again: a second closed alert, its own id.
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", filed="2025-07-06")))
    assert once(run, tree, "2025-07-06T10:00").returncode == 0
    [again] = new_alerts(hook, 5)
    assert again["kind"] == "closed"
    assert again["window"]["closed_by"] == "filed"
    assert again["window"]["follow_up"] == []
    assert again["id"] != closed["id"]


def test_removed_case_is_announced_and_its_waiting_alert_never_sent(
        tmp_path, hook, run):
    # Two receivers: "up" answers, "down" refuses for now (503), so the
    # due alert waits for it in the outbox.
    hook.responder = lambda req: Reply(
        status=503 if req.path.startswith("/down") else 200)
    receivers = [webhook_receiver("up", hook.url("/up")),
                 webhook_receiver("down", hook.url("/down"))]
    tree = make_tree(tmp_path, receivers, ["up", "down"], {
        "a.conf": cases_file(case(transferred="2025-07-03")),
        "b.conf": cases_file(case(case_id="B-1", transferred="2025-07-03"))},
        retry=(1, 2))
    once(run, tree, "2025-07-10T09:00:01")
    waiting = [r for r in tree.deliveries()
               if r["receiver"] == "down" and r["kind"] == "due"
               and r["case_id"] == "B-1"]
    assert [r["state"] for r in waiting] == ["pending"]

    # b.conf renamed away (no longer *.conf): B-1 is no longer watched.
    (tree.cases_dir / "b.conf").rename(tree.cases_dir / "b.conf.bak")
    hook.responder = None
    seen = len(hook.alerts())
    assert once(run, tree, "2025-07-10T10:00").returncode == 0
    got = [a for a in new_alerts(hook, seen) if a["case"]["id"] == "B-1"]
    assert sorted(a["kind"] for a in got) == ["removed", "removed"]
    for a in got:
        assert a["window"]["name"] == "decision"
        assert a["window"]["deadline"] == "2025-07-10"
    rows = {(r["receiver"], r["kind"]): r for r in tree.deliveries()
            if r["case_id"] == "B-1"}
    assert rows["down", "due"]["state"] == "cancelled"
    assert "no longer in the configuration" in rows["down", "due"][
        "last_error"]
    assert rows["down", "removed"]["state"] == "sent"
    # The due alert for B-1 never reached "down".
    assert not [a for r, a in hook.alerts("/down")
                if r.reply.status == 200 and a["case"]["id"] == "B-1"
                and a["kind"] == "due"]
    # The other case goes on, and B-1 is not announced twice.
    seen = len(hook.alerts())
    assert once(run, tree, "2025-07-11T09:00:01").returncode == 0
    later = new_alerts(hook, seen)
    assert {a["case"]["id"] for a in later} == {CASE_ID}


def test_new_receiver_gets_the_alert_as_it_stands_today(tmp_path, hook, run):
    # Overdue once only: on day 4 the latest timed alert is still day 1's
    # overdue alert, queued for "a" three days ago.
    reminders = "overdue_every = 0;"
    tree = make_tree(tmp_path, [webhook_receiver("a", hook.url("/a")),
                                webhook_receiver("b", hook.url("/b"))],
                     ["a"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    text = tree.main.read_text().replace("overdue_every = 1;", reminders)
    tree.main.write_text(text)
    once(run, tree, "2025-07-11T09:00:01")
    [day1] = [a for _, a in hook.alerts("/a") if a["kind"] == "overdue"]
    assert day1["days_left"] == -1

    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", notify=["a", "b"])))
    assert once(run, tree, "2025-07-14T10:00").returncode == 0
    [late] = [a for _, a in hook.alerts("/b") if a["kind"] == "overdue"]
    assert late["id"] == day1["id"]
    assert late["days_left"] == -4


def test_after_an_outage_one_message_per_window(tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(
                         case(transferred="2025-07-03"),
                         case(case_id="B-1", transferred="2025-07-03"))},
                     retry=(1, 2), reminders=REMINDERS_CALENDAR_DAYS)
    # (In calendar days, so that the weekend 07-12/13 has alerts.)
    assert once(run, tree, "2025-07-04T10:00").returncode == 0
    assert len(hook.alerts()) == 2          # opened, opened

    # Down from the deadline day on: due, overdue 1, overdue 2 each
    # queued and refused.
    hook.default = Reply(status=503)
    for now in ("2025-07-10T09:00:01", "2025-07-11T09:00:01",
                "2025-07-12T09:00:01"):
        once(run, tree, now)
    refused = len(hook.alerts())
    assert refused >= 6

    # Back on day 4: one alert per window, saying where it stands today.
    hook.default = Reply(status=200)
    assert once(run, tree, "2025-07-13T09:00:01").returncode == 0
    got = [a for r, a in hook.alerts() if r.reply.status == 200][2:]
    assert sorted((a["case"]["id"], a["kind"], a["days_left"])
                  for a in got) == [(CASE_ID, "overdue", -3),
                                    ("B-1", "overdue", -3)]
    rows = tree.deliveries()
    superseded = [r for r in rows if r["state"] == "cancelled"]
    assert len(superseded) == 6, rows
    assert all("superseded" in r["last_error"] for r in superseded)
    assert not [r for r in rows if r["state"] == "pending"]


def test_calendar_change_is_announced_as_such(tmp_path, hook, run):
    # 2025-10-03 falls on no listed holiday at first: the deadline of a
    # window opened 09-26 is 10-03.  Then the calendar is given the
    # National Day holiday: the deadline rolls to 10-09, and the alert
    # says the calendar changed, not the case.
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-09-26"))})
    main = tree.main.read_text()
    assert once(run, tree, "2025-09-27T10:00").returncode == 0
    [opened] = [a for _, a in hook.alerts()]
    assert opened["window"]["deadline"] == "2025-10-03"
    holidays = ", ".join(f'"2025-10-0{d}"' for d in range(1, 9))
    tree.main.write_text(main.replace(
        'weekend  = [ "sat", "sun" ];',
        f'weekend  = [ "sat", "sun" ];\n  holidays = [ {holidays} ];'))
    assert once(run, tree, "2025-09-27T11:00").returncode == 0
    [ext] = new_alerts(hook, 1)
    assert ext["kind"] == "extended"
    assert ext["window"]["previous_deadline"] == "2025-10-03"
    assert ext["window"]["deadline"] == "2025-10-09"
    assert ext["calendar_changed"] is True


def fixture_receivers(hook):
    """The receivers of the outbox-v2..v4 fixtures: log; ok; gone, now
    refusing connections; down, which was down when they were written
    and now answers."""
    return ['{ name = "log"; type = "log"; }',
            webhook_receiver("ok", hook.url("/ok")),
            webhook_receiver("gone", "http://127.0.0.1:9/gone"),
            webhook_receiver("down", hook.url("/down"))]


def test_version_1_outbox_migrates_in_place(tmp_path, run):
    """An outbox.db written by deadlined 0.1.0 (tests/integration/data/
    outbox-v1.sql, rows in every state) is migrated on start: every row
    stays, and the windows it announced are not announced again."""
    receivers = ['{ name = "log"; type = "log"; }'] + [
        webhook_receiver(name, f"http://127.0.0.1:9/{name}")
        for name in ("ok", "gone", "down")]
    tree = make_tree(tmp_path, receivers, ["log", "ok", "gone", "down"], {
        "a.conf": cases_file(
            case("(2026)沪0115执5001号", "张某诉李某拒不执行",
                 "上海市浦东新区人民法院", transferred="2026-11-20"),
            case("(2026)沪0115执5002号", "Wang v. Zhao", "Pudong court",
                 transferred="2026-11-24", extended="2026-11-26"),
            case("(2026)沪0115执5003号", "Closed later", "Pudong court",
                 transferred="2026-11-25", filed="2026-11-30"))})
    con = tree.load_outbox("outbox-v1.sql")
    before = {t: table_rows(con, t)
              for t in ("alerts", "deliveries", "windows")}
    con.close()
    assert len(before["deliveries"]) == 24

    r = once(run, tree, "2026-11-30T10:05")
    assert "migrated to schema version 2" in r.stderr, r.stderr
    assert "migrated to schema version 3" in r.stderr, r.stderr
    assert "migrated to schema version 4" in r.stderr, r.stderr
    assert "migrated to schema version 5" in r.stderr, r.stderr
    assert "ALERT opened" not in r.stderr and "ALERT closed" not in r.stderr
    con = sqlite3.connect(tree.outbox)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_SCHEMA
    for t, rows in before.items():
        assert kept(rows, table_rows(con, t)), t
    states = dict(con.execute(
        "SELECT state, count(*) FROM deliveries GROUP BY state"))
    assert states["sent"] >= 12 and states["failed"] == 6
    assert states["cancelled"] == 1
    con.close()
    # A second start migrates nothing and announces nothing again.
    r = once(run, tree, "2026-11-30T10:06")
    assert "migrated" not in r.stderr
    assert "ALERT" not in r.stderr


def test_version_2_outbox_migrates_in_place(tmp_path, hook, run):
    """An outbox.db written by the schema version 2 daemon (tests/
    integration/data/outbox-v2.sql: deliveries in every state, attempts
    in every result) is migrated to version 3 (and on to the latest) on
    start: the deliveries table is rebuilt for the state 'silenced' with
    every row, rowid and index kept, attempts gain 'refused', foreign keys hold, and the
    daemon goes on: nothing is announced again, what waited is sent."""
    receivers = fixture_receivers(hook)
    tree = make_tree(tmp_path, receivers, ["log", "ok", "gone", "down"], {
        "a.conf": cases_file(
            case("(2026)沪0115执5001号", "张某诉李某拒不执行",
                 "上海市浦东新区人民法院", transferred="2026-11-20"),
            case("(2026)沪0115执5002号", "Wang v. Zhao", "Pudong court",
                 transferred="2026-11-24", extended="2026-11-26"),
            case("(2026)沪0115执5003号", "Closed later", "Pudong court",
                 transferred="2026-11-25", filed="2026-11-30"))})
    con = tree.load_outbox("outbox-v2.sql")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    tables = ("alerts", "deliveries", "windows", "attempts",
              "attempt_alerts")
    before = {t: table_rows(con, t) for t in tables}
    con.close()
    states = {r["state"] for r in before["deliveries"]}
    assert states == {"sent", "failed", "pending", "cancelled"}
    assert {r["result"] for r in before["attempts"]} == {"sent", "retry",
                                                         "failed"}

    # Before anything is due again: the migration alone.
    r = run("-c", tree.main, "--history", "--now", "2026-11-30T10:00:10")
    assert r.returncode == 0, r.stderr
    assert "migrated to schema version 3" in r.stderr, r.stderr
    con = sqlite3.connect(tree.outbox)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_SCHEMA
    for t in tables:
        after = table_rows(con, t)
        assert len(after) == len(before[t]) and kept(before[t], after), t
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'deliveries' AND sql IS NOT NULL")}
    assert indexes == {"deliveries_pending", "deliveries_due"}
    cols = [r[1] for r in con.execute("PRAGMA table_info(attempts)")]
    assert cols[-1] == "refused"
    # The new state is accepted, a made-up one still refused.
    con.execute("UPDATE deliveries SET state = 'silenced' WHERE rowid ="
                " (SELECT min(rowid) FROM deliveries WHERE state = 'sent')")
    try:
        con.execute("UPDATE deliveries SET state = 'lost'")
        raise AssertionError("CHECK constraint lost")
    except sqlite3.IntegrityError:
        pass
    con.rollback()
    con.close()

    # The daemon goes on: what waited for "down" goes out, nothing is
    # announced again, and a second start migrates nothing.
    r = once(run, tree, "2026-11-30T10:05")
    assert "migrated" not in r.stderr
    assert "ALERT opened" not in r.stderr and "ALERT closed" not in r.stderr
    down = [a["kind"] for req, a in hook.alerts()
            if req.path.startswith("/down")]
    assert sorted(down) == ["closed", "opened", "opened", "opened",
                            "overdue"], down
    rows = tree.deliveries()
    assert not [x for x in rows if x["state"] == "pending"], rows


def v3_cases(filed):
    extra = {"filed": "2026-11-30"} if filed else {}
    silenced = case("(2026)沪0115执5004号", "静默的案件", "上海市浦东新区人民法院",
                    transferred="2026-11-21")
    silenced = silenced[:-2] + ('\n    silence = { until = "2026-12-10"; '
                                'reason = "双方和解谈判"; }; }')
    return cases_file(
        case("(2026)沪0115执5001号", "张某诉李某拒不执行",
             "上海市浦东新区人民法院", transferred="2026-11-20"),
        case("(2026)沪0115执5002号", "Wang v. Zhao", "Pudong court",
             transferred="2026-11-24", extended="2026-11-26"),
        case("(2026)沪0115执5003号", "Closed later", "Pudong court",
             transferred="2026-11-25", **extra),
        silenced)


def test_version_3_outbox_migrates_in_place(tmp_path, hook, run):
    """An outbox.db written by the schema version 3 daemon (tests/
    integration/data/outbox-v3.sql: deliveries in every state, silenced
    included, attempts in every result) is migrated to version 4 (and on
    to the latest) on start: deliveries and attempts are rebuilt with
    their CHECK
    constraints written as comparisons, every row, rowid and index
    kept, the same states and results allowed and no other, foreign
    keys hold, and the daemon goes on."""
    receivers = fixture_receivers(hook)
    tree = make_tree(tmp_path, receivers, ["log", "ok", "gone", "down"],
                     {"a.conf": v3_cases(True)})
    con = tree.load_outbox("outbox-v3.sql")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 3
    tables = ("alerts", "deliveries", "windows", "attempts",
              "attempt_alerts")
    before = {t: table_rows(con, t) for t in tables}
    con.close()
    assert {r["state"] for r in before["deliveries"]} == {
        "sent", "failed", "pending", "cancelled", "silenced"}
    assert {r["result"] for r in before["attempts"]} == {"sent", "retry",
                                                         "failed"}

    r = run("-c", tree.main, "--history", "--now", "2026-11-30T10:00:10")
    assert r.returncode == 0, r.stderr
    assert "migrated to schema version 4" in r.stderr, r.stderr
    con = sqlite3.connect(tree.outbox)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST_SCHEMA
    for t in tables:
        after = table_rows(con, t)
        assert len(after) == len(before[t]) and kept(before[t], after), t
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name IN ('deliveries', 'attempts') AND sql IS NOT NULL")}
    assert indexes == {"deliveries_pending", "deliveries_due",
                       "attempts_receiver"}
    # Comparisons, not IN lists: SQLite writes no temporary table.
    for stmt in ("INSERT INTO deliveries (alert_id, receiver, state,"
                 " created_at, next_try) VALUES ('x', 'y', 'sent', 0, 0)",
                 "UPDATE attempts SET result = 'sent' WHERE id = 1"):
        ops = [row[1] for row in con.execute("EXPLAIN " + stmt)]
        assert "OpenEphemeral" not in ops, stmt
    # Every state and result still accepted, a made-up one refused.
    for state in ("pending", "sent", "failed", "cancelled", "silenced"):
        con.execute("UPDATE deliveries SET state = ? WHERE rowid = 1",
                    (state,))
    for result in ("sent", "retry", "failed"):
        con.execute("UPDATE attempts SET result = ? WHERE id = 1",
                    (result,))
    for stmt in ("UPDATE deliveries SET state = 'lost'",
                 "UPDATE attempts SET result = 'maybe'"):
        try:
            con.execute(stmt)
            raise AssertionError("CHECK constraint lost: " + stmt)
        except sqlite3.IntegrityError:
            pass
    con.rollback()
    con.close()

    # The daemon goes on: what waited for "down" goes out, nothing is
    # announced again, and the next attempt gets the next id.
    r = once(run, tree, "2026-11-30T10:05")
    assert "migrated" not in r.stderr
    assert "ALERT opened" not in r.stderr and "ALERT closed" not in r.stderr
    assert [a["kind"] for req, a in hook.alerts()
            if req.path.startswith("/down")]
    rows = tree.deliveries()
    assert not [x for x in rows if x["state"] == "pending"], rows
    con = sqlite3.connect(tree.outbox)
    ids = [r[0] for r in con.execute("SELECT id FROM attempts ORDER BY id")]
    con.close()
    assert ids == list(range(1, len(ids) + 1))
    assert len(ids) > len(before["attempts"])


def test_version_4_outbox_migrates_in_place(tmp_path, hook, run):
    """An outbox.db written by the schema version 4 daemon (tests/
    integration/data/outbox-v4.sql: deliveries in every state, attempts
    in every result) is migrated to version 5 on start: each delivery
    gets an id of its own (its rowid), each alert an attempt carried
    names its delivery and is found by it (an index on the delivery in
    place of the one on alert ids), every row is kept, a delivery is
    still one per alert and receiver, foreign keys hold, --history
    shows every attempt as version 4 found it, and the daemon goes on,
    recording new attempts by delivery."""
    receivers = fixture_receivers(hook)
    tree = make_tree(tmp_path, receivers, ["log", "ok", "gone", "down"],
                     {"a.conf": v3_cases(True)})
    con = tree.load_outbox("outbox-v4.sql")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 4
    tables = ("alerts", "deliveries", "windows", "attempts",
              "attempt_alerts")
    before = {t: table_rows(con, t) for t in tables}
    # What each attempt carried, as version 4 found it: by alert id.
    carried = sorted(con.execute(
        "SELECT a.case_id, a.kind, t.receiver, t.result, t.message"
        " FROM attempt_alerts x JOIN attempts t ON t.id = x.attempt_id"
        " JOIN alerts a ON a.id = x.alert_id"))
    con.close()
    assert {r["state"] for r in before["deliveries"]} == {
        "sent", "failed", "pending", "cancelled", "silenced"}
    assert {r["result"] for r in before["attempts"]} == {"sent", "retry",
                                                         "failed"}
    assert len(carried) == len(before["attempt_alerts"]) > 20

    r = run("-c", tree.main, "--history", "--csv", "--now",
            "2026-11-30T10:00:10")
    assert r.returncode == 0, r.stderr
    assert "migrated to schema version 5" in r.stderr, r.stderr
    assert "schema version 4" not in r.stderr, r.stderr
    con = sqlite3.connect(tree.outbox)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 5
    for t in tables:
        after = table_rows(con, t)
        assert len(after) == len(before[t]) and kept(before[t], after), t
    assert all(d["id"] == d["rowid_"]
               for d in table_rows(con, "deliveries"))
    links = con.execute(
        "SELECT x.alert_id, t.receiver, d.alert_id, d.receiver"
        " FROM attempt_alerts x JOIN attempts t ON t.id = x.attempt_id"
        " LEFT JOIN deliveries d ON d.id = x.delivery").fetchall()
    assert len(links) == len(carried)
    assert all(x[0] == x[2] and x[1] == x[3] for x in links), links
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name IN ('deliveries', 'attempt_alerts')"
        " AND sql IS NOT NULL")}
    assert indexes == {"deliveries_pending", "deliveries_due",
                       "attempt_alerts_delivery"}
    plan = " ".join(row[3] for row in con.execute(
        "EXPLAIN QUERY PLAN SELECT attempt_id FROM attempt_alerts"
        " WHERE delivery = 1"))
    assert "attempt_alerts_delivery" in plan, plan
    try:
        con.execute("INSERT INTO deliveries (alert_id, receiver, state,"
                    " created_at, next_try) SELECT alert_id, receiver,"
                    " 'pending', 0, 0 FROM deliveries LIMIT 1")
        raise AssertionError("two deliveries of one alert to one receiver")
    except sqlite3.IntegrityError:
        pass
    con.rollback()
    con.close()
    shown = sorted((x["case"], x["kind"], x["receiver"], x["result"],
                    x["key"])
                   for x in csv.DictReader(io.StringIO(
                       r.stdout.lstrip("\ufeff")))
                   if x["what"] == "attempt")
    assert shown == carried

    # The daemon goes on: what waited for "down" goes out, nothing is
    # announced again, and each alert of a new attempt names its
    # delivery.
    r = once(run, tree, "2026-11-30T10:05")
    assert "migrated" not in r.stderr
    assert "ALERT opened" not in r.stderr and "ALERT closed" not in r.stderr
    assert [a["kind"] for req, a in hook.alerts()
            if req.path.startswith("/down")]
    rows = tree.deliveries()
    assert not [x for x in rows if x["state"] == "pending"], rows
    con = sqlite3.connect(tree.outbox)
    new = con.execute(
        "SELECT x.alert_id, t.receiver, d.alert_id, d.receiver"
        " FROM attempt_alerts x JOIN attempts t ON t.id = x.attempt_id"
        " LEFT JOIN deliveries d ON d.id = x.delivery"
        " WHERE x.attempt_id > ?",
        (max(a["id"] for a in before["attempts"]),)).fetchall()
    con.close()
    assert new and all(x[0] == x[2] and x[1] == x[3] for x in new), new


def test_admin_receivers_hear_of_a_removed_case(tmp_path, hook, run):
    from daemon_helpers import Daemon
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url()),
                                '{ name = "ops"; type = "log"; }'],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03")),
                      "b.conf": cases_file(case(case_id="B-1",
                                                transferred="2025-07-03"))},
                     extra='admin = [ "ops" ];')
    assert once(run, tree, "2025-07-04T10:00").returncode == 0
    (tree.cases_dir / "b.conf").unlink()
    d = Daemon(tree, now="2025-07-04T11:00")
    try:
        d.wait_line(r"ADMIN case_removed: case B-1 window decision is no "
                    r"longer in the configuration", timeout=10)
        d.stop()
    finally:
        d.close()
    assert [a["kind"] for _, a in hook.alerts()
            if a["case"]["id"] == "B-1"] == ["opened", "removed"]


def test_first_start_catch_up_goes_with_its_announcement(tmp_path, hook,
                                                         run):
    """A first start announces every window after group_wait; the
    catch-up of a window already overdue waits with its announcement
    (one digest), so no receiver hears "overdue" before "opened".  A
    window announced earlier gets its timed alert at once."""
    from daemon_helpers import Daemon
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(
                         case(case_id="OLD-1", transferred="2025-07-01"),
                         case(case_id="NEW-2", transferred="2025-07-01"))})
    # OLD-1 is announced a day before; NEW-2 is first seen at 09:00:01.
    (tree.cases_dir / "a.conf").write_text(cases_file(
        case(case_id="OLD-1", transferred="2025-07-01")), encoding="utf-8")
    assert once(run, tree, "2025-07-09T10:00").returncode == 0
    seen = len(hook.snapshot())
    tree.write_case_file("a.conf", cases_file(
        case(case_id="OLD-1", transferred="2025-07-01"),
        case(case_id="NEW-2", transferred="2025-07-01")))
    d = Daemon(tree, now="2025-07-10T09:00:01")
    try:
        reqs = hook.wait_requests(seen + 2)[seen:]
    finally:
        d.stop()
    kinds = [[(a["case"]["id"], a["kind"]) for a in r.alerts] for r in reqs]
    assert kinds[0] == [("OLD-1", "overdue")], kinds
    assert sorted(kinds[1]) == [("NEW-2", "opened"), ("NEW-2", "overdue")], \
        kinds
    assert [a["kind"] for a in reqs[1].alerts][0] == "opened", kinds
