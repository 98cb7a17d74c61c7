"""After downtime, a window gets at most one catch-up alert per receiver
(the most recent one missed), not a burst of stale reminders."""
import collections
import time

from daemon_helpers import (CASE_ID, case, cases_file, make_tree,
                            webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)


def two_hooks(tmp_path, hook, cases):
    receivers = [webhook_receiver("hook_a", hook.url("/a")),
                 webhook_receiver("hook_b", hook.url("/b"))]
    return make_tree(tmp_path, receivers, ["hook_a", "hook_b"], cases)


def per_receiver(hook):
    """{path prefix: Counter((case, window, kind))}"""
    out = {}
    for prefix in ("/a", "/b"):
        out[prefix] = collections.Counter(
            (a["case"]["id"], a["window"]["name"], a["kind"])
            for _, a in hook.alerts(prefix))
    return out


def test_first_start_days_late_sends_one_alert_per_window(tmp_path, hook,
                                                          spawn):
    # Case A: decision window 07-03..07-10, overdue since 07-11.
    # Case B: decision closed by not_filed before the first start (recorded
    # without a word), reasons window 07-04..07-11, overdue since 07-12.
    tree = two_hooks(tmp_path, hook, {"a.conf": cases_file(
        case(transferred="2025-07-03"),
        case(case_id="B-2", transferred="2025-07-01",
             not_filed="2025-07-04"))})
    d = spawn(tree, now="2025-07-20T12:00")
    hook.wait_alerts(8, timeout=8)
    time.sleep(2)
    got = per_receiver(hook)
    want = collections.Counter({
        (CASE_ID, "decision", "opened"): 1,
        (CASE_ID, "decision", "overdue"): 1,
        ("B-2", "reasons", "opened"): 1,
        ("B-2", "reasons", "overdue"): 1,
    })
    assert got == {"/a": want, "/b": want}, got
    # The most recent one missed: today's overdue alert.
    for _, a in hook.alerts():
        if a["kind"] == "overdue" and a["case"]["id"] == CASE_ID:
            assert a["days_left"] == -10, a
        if a["kind"] == "overdue" and a["case"]["id"] == "B-2":
            assert a["days_left"] == -9, a
    d.stop()


def test_restart_after_downtime_sends_one_catch_up(tmp_path, hook, spawn):
    tree = two_hooks(tmp_path, hook, {"a.conf": cases_file(
        case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00")
    hook.wait_alerts(2)
    d.stop()
    assert len(hook.snapshot()) == 2

    # Down from 07-04 to 07-13: missed the reminders of 07-07 and 07-09,
    # the due alert of 07-10 and overdue alerts of 07-11..07-13.
    d2 = spawn(tree, now="2025-07-13T09:30")
    hook.wait_alerts(4)
    time.sleep(2)
    got = per_receiver(hook)
    want = collections.Counter({(CASE_ID, "decision", "opened"): 1,
                                (CASE_ID, "decision", "overdue"): 1})
    assert got == {"/a": want, "/b": want}, got
    overdue = [a for _, a in hook.alerts() if a["kind"] == "overdue"]
    assert {a["days_left"] for a in overdue} == {-3}
    d2.stop()
