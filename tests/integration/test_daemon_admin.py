"""The `admin` receivers are told what would otherwise only be logged: a
delivery that failed for good, a rejected reload (with its FILE:LINE
errors) and a deadline in a year the holiday calendar does not cover
(once per year and calendar, not at every start).  A notice that fails
is only logged: no notice about a notice."""
import re
import signal
import time

from daemon_helpers import (CASE_ID, Reply, case, cases_file, make_tree,
                            log_receiver, wait_until, webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

CASES = {"a.conf": cases_file(case(transferred="2025-07-03"))}
NOW = "2025-07-04T10:00"        # the opened alert goes out; nothing else
ADMIN = 'admin = [ "ops" ];'
BROKEN = 'cases = (\n  { id = "B-1";\n    transfered = "2025-07-04"; }\n);\n'


def refuse_case_hook(req):
    return Reply(404, body=b"no such hook\n") \
        if req.path.startswith("/case") else Reply(200)


def notices(hook, event=None):
    """The admin notices /ops received (answered), in order."""
    return [a for r, a in hook.alerts("/ops") if a["kind"] == "admin" and
            r.responded is not None and
            (event is None or a["admin"]["event"] == event)]


def wait_notices(hook, event, n=1, timeout=8):
    return wait_until(lambda: (lambda got: got if len(got) >= n else None)(
        notices(hook, event)), timeout, message=f"{n} {event} notices")


def receivers(hook, ops_path="/ops"):
    return [webhook_receiver("hook", hook.url("/case")),
            webhook_receiver("ops", hook.url(ops_path))]


def test_admin_is_told_of_a_permanent_failure_and_of_a_rejected_reload(
        tmp_path, hook, spawn):
    hook.responder = refuse_case_hook
    # ops is a case receiver too: it still gets the case's alerts.
    tree = make_tree(tmp_path, receivers(hook), ["hook", "ops"], CASES,
                     extra=ADMIN)
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivery of opened for case .* to hook failed for good: "
                r"HTTP 404")
    (notice,) = wait_notices(hook, "delivery_failed")
    body = next(r for r in hook.snapshot("/ops") if notice in r.alerts).json
    assert body["version"] == 1 and body["receiver"] == "ops"
    assert len(body["alerts"]) == 1          # notices travel on their own
    a = notice["admin"]
    assert a["receiver"] == "hook"
    assert a["error"] == "HTTP 404: no such hook" and a["status"] == 404
    assert a["alert"]["case"] == CASE_ID
    assert a["alert"]["window"] == "decision"
    assert a["alert"]["kind"] == "opened"
    assert a["alert"]["deadline"] == "2025-07-10"
    assert "failed for good: HTTP 404" in a["text"]
    assert [x["kind"] for _, x in hook.alerts("/ops")].count("opened") == 1
    d.wait_line(r"delivered admin notice delivery_failed to ops: HTTP 200")

    # A broken reload: the notice carries the FILE:LINE errors.
    bad = tree.write_case_file("b.conf", BROKEN)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reload failed", since=mark)
    (notice,) = wait_notices(hook, "reload_failed")
    a = notice["admin"]
    assert a["config"] == str(tree.main)
    assert any(e.startswith(f"{bad}:3: ") and "transfered" in e
               for e in a["errors"]), a
    assert f"{bad}:3: " in a["text"]
    assert a["more"] == 0
    rows = [r for r in tree.deliveries() if r["kind"] == "admin"]
    assert [r["receiver"] for r in rows] == ["ops", "ops"], rows
    assert all(r["case_id"] == "" and r["window"] == "" for r in rows)
    d.stop()


def test_many_reload_errors_are_capped(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, receivers(hook), ["hook"], CASES, extra=ADMIN)
    d = spawn(tree, now=NOW)
    hook.wait_alerts(1, path_prefix="/case")
    many = "cases = (\n" + ",\n".join(
        f'  {{ id = "B-{i}";\n    transfered = "2025-07-04"; }}'
        for i in range(15)) + "\n);\n"
    tree.write_case_file("b.conf", many)
    d.signal(signal.SIGHUP)
    (notice,) = wait_notices(hook, "reload_failed")
    a = notice["admin"]
    assert len(a["errors"]) == 10 and a["more"] >= 5, a
    assert a["text"].endswith(f"; and {a['more']} more")
    d.stop()


def test_a_failing_admin_receiver_is_only_logged(tmp_path, hook, spawn):
    hook.default = Reply(404, body=b"gone\n")    # both refuse
    tree = make_tree(tmp_path, receivers(hook), ["hook"], CASES, extra=ADMIN,
                     retry=(1, 2))
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivery of admin notice delivery_failed to ops failed "
                r"for good: HTTP 404", timeout=8)
    time.sleep(3)       # group_wait is 2 s: a notice about it would come
    assert len(hook.snapshot("/ops")) == 1
    admin_rows = [r for r in tree.deliveries() if r["kind"] == "admin"]
    assert len(admin_rows) == 1 and admin_rows[0]["state"] == "failed"
    d.stop()


def test_a_log_admin_receiver_writes_the_notice(tmp_path, hook, spawn):
    hook.default = Reply(410, body=b"gone\n")
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url("/case")),
                                log_receiver()], ["hook"], CASES,
                     extra='admin = [ "log" ];')
    d = spawn(tree, now=NOW)
    m = d.wait_line(r"ADMIN delivery_failed: delivery of opened for case "
                    r"(.*) window decision to hook failed for good: "
                    r"HTTP 410: gone "
                    r"\[log, alert [0-9a-f]{32}\]", timeout=8)
    assert m.group(1) == CASE_ID
    d.stop()


CALENDAR_2025 = """calendar = {
  weekend  = [ "sat", "sun" ];
  holidays = [ "2025-10-01" ];
  roll     = "next_working_day";
};"""


def test_admin_is_told_once_of_an_uncovered_year(tmp_path, hook, spawn):
    # Transferred 2025-12-29: the deadline is in 2026, which the calendar
    # (2025 only) does not cover.
    cases = {"a.conf": cases_file(case(transferred="2025-12-29"))}
    tree = make_tree(tmp_path, receivers(hook), ["hook"], cases,
                     extra=ADMIN, calendar=CALENDAR_2025)
    d = spawn(tree, now="2025-12-30T10:00")
    (notice,) = wait_notices(hook, "calendar_uncovered")
    a = notice["admin"]
    assert a["year"] == 2026 and a["windows"] == 1
    assert "holidays/cn-2026.conf" in a["text"]
    d.stop()

    # A restart on the same calendar does not say it again.
    d = spawn(tree, now="2025-12-30T10:05")
    d.wait_line(r"deadline in 2026, a year no holiday file covers")
    time.sleep(3)
    assert len(notices(hook, "calendar_uncovered")) == 1

    # A new revision of the calendar that still leaves 2026 out does.
    make_tree(tmp_path, receivers(hook), ["hook"], cases, extra=ADMIN,
              calendar=CALENDAR_2025.replace('"2025-10-01"',
                                             '"2025-10-01", "2025-10-02"'))
    d.signal(signal.SIGHUP)
    wait_notices(hook, "calendar_uncovered", n=2)
    d.stop()
    assert re.search(r"queued admin notice calendar_uncovered", d.text)
