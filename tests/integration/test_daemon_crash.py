"""Never lost: an alert written to the outbox survives a SIGKILL in the
middle of its delivery and is resent, with the same alert id and the same
Idempotency-Key; SIGTERM lets a delivery in flight finish."""
import signal
import sqlite3
import time

from daemon_helpers import (REMINDERS_CALENDAR_DAYS, Reply, case,
                            cases_file, log_receiver, make_tree, wait_until,
                            webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

NOW = "2025-07-04T10:00"


def slow_for_first(n, delay):
    """A responder: the first n requests wait delay seconds, then 200."""
    count = [0]

    def responder(req):
        count[0] += 1
        return Reply(200, delay=delay if count[0] <= n else 0.0)
    return responder


def test_sigkill_mid_transfer_then_restart_resends(tmp_path, hook, spawn):
    # Two cases, each to a receiver of its own, so that each request
    # carries one alert (alerts due together may go as one digest).  In
    # calendar days: on working days B-2's reminder of Sunday 07-06 would
    # fall due on Friday 07-04, the day this runs.
    tree = make_tree(
        tmp_path, [webhook_receiver("hook_a", hook.url("/a"), timeout=20),
                   webhook_receiver("hook_b", hook.url("/b"), timeout=20)],
        ["hook_a"],
        {"a.conf": cases_file(case(transferred="2025-07-03"),
                              case(case_id="B-2", transferred="2025-07-02",
                                   notify=["hook_b"]))},
        reminders=REMINDERS_CALENDAR_DAYS)
    hook.responder = slow_for_first(2, 3.0)
    d = spawn(tree, now=NOW)
    first = hook.wait_requests(2, timeout=5)
    assert all(r.responded is None for r in first)   # still in transfer
    d.kill()                                        # kill -9, mid-transfer
    rows = tree.deliveries()
    assert len(rows) == 2 and {r["state"] for r in rows} == {"pending"}, rows

    d2 = spawn(tree, now=NOW)
    reqs = hook.wait_requests(4, timeout=8)
    d2.wait_lines(r"delivered opened for case .* to hook_[ab]: HTTP 200", 2)
    resent = reqs[2:4]
    by_id = {r.alerts[0]["id"]: r for r in first}
    assert len(by_id) == 2
    assert all(len(r.alerts) == 1 for r in reqs)
    for r in resent:
        original = by_id[r.alerts[0]["id"]]     # the same alert id ...
        assert r.header("Idempotency-Key") == \
            original.header("Idempotency-Key")  # ... and the same key
        assert r.alerts[0] == original.alerts[0]
    assert {r.alerts[0]["case"]["id"] for r in resent} == \
        {"(2025)沪0115执1234号", "B-2"}
    tree.wait_states(["sent", "sent"])
    time.sleep(1)
    assert len(hook.snapshot()) == 4
    d2.stop()


def test_sigterm_lets_the_delivery_in_flight_finish(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    hook.responder = slow_for_first(1, 2.0)
    d = spawn(tree, now=NOW)
    hook.wait_requests(1, timeout=5)
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    assert d.wait_exit(timeout=10) == 0, d.text
    assert time.monotonic() - t0 >= 1.0     # it waited for the answer
    d.assert_clean()
    assert d.grep(r"delivered opened for case .* to hook: HTTP 200")
    rows = tree.deliveries()
    assert len(rows) == 1 and rows[0]["state"] == "sent", rows
    assert len(hook.snapshot()) == 1


def test_reload_during_a_transfer(tmp_path, hook, spawn):
    """A reload frees the old configuration while a transfer that was set
    up from it is in flight: the transfer must finish unharmed."""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    hook.responder = slow_for_first(1, 2.0)
    d = spawn(tree, now=NOW)
    hook.wait_requests(1, timeout=5)
    tree.write_case_file("b.conf", cases_file(
        case(case_id="B-3", transferred="2025-07-04")))
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 2 cases")
    d.wait_line(r"delivered opened for case \(2025\).* to hook: HTTP 200")
    d.wait_line(r"delivered opened for case B-3 window decision to hook: "
                r"HTTP 200")
    tree.wait_states(["sent", "sent"])
    d.stop()


def test_sigkill_with_a_digest_in_flight_resends_the_same_message(
        tmp_path, hook, spawn):
    """A digest killed in flight goes out again as the same message, with
    the same Idempotency-Key, even when more alerts have fallen due for
    the receiver by the restart: they go in a message of their own."""
    tree = make_tree(
        tmp_path, [webhook_receiver("hook", hook.url(), timeout=20)],
        ["hook"],
        {"a.conf": cases_file(*[case(case_id=f"D-{i}",
                                     transferred="2025-07-03")
                                for i in range(3)])})
    hook.responder = slow_for_first(1, 5.0)
    d = spawn(tree, now="2025-07-04T10:00")
    [first] = hook.wait_requests(1, timeout=8)
    assert len(first.alerts) == 3                   # one digest
    d.kill()
    # Three more cases by the restart, the next morning at the first
    # reminder (07-07 09:00): 3 reminders and 3 announcements are due.
    tree.write_case_file("b.conf", cases_file(*[
        case(case_id=f"E-{i}", transferred="2025-07-04") for i in range(3)]))
    d2 = spawn(tree, now="2025-07-07T09:00:01")
    pairs = hook.wait_alerts(3 + 9, timeout=15)
    resent = [r for r in hook.snapshot()[1:]
              if r.header("Idempotency-Key") ==
              first.header("Idempotency-Key")]
    assert len(resent) == 1, [(r.header("Idempotency-Key"),
                               [a["id"] for a in r.alerts])
                              for r in hook.snapshot()]
    assert sorted(a["id"] for a in resent[0].alerts) == \
        sorted(a["id"] for a in first.alerts)
    # Every resent alert carries the key it first went out with.
    first_key = {a["id"]: first.header("Idempotency-Key")
                 for a in first.alerts}
    for r, a in pairs:
        if a["id"] in first_key:
            assert r.header("Idempotency-Key") == first_key[a["id"]]
    d2.stop()


def test_reload_during_the_sweep(tmp_path, spawn):
    """The check for windows no longer configured goes 5,000 windows a
    slice, against the configuration it began with; a reload in the
    middle drops it and starts again with the new one, which must find
    every removed window, the last one swept included, exactly once (and
    free nothing the sweep still uses: ASan watches)."""
    n = 40000   # eight slices of the sweep

    def cases(skip=()):
        return cases_file(*(case(case_id=f"R-{i:05d}", title=None,
                                 court=None, transferred="2025-07-03")
                            for i in range(n) if i not in skip))

    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases()})

    def windows(where):
        con = sqlite3.connect(f"file:{tree.outbox}?mode=ro", uri=True,
                              timeout=5)
        try:
            return con.execute("SELECT case_id FROM windows WHERE " + where
                               + " ORDER BY case_id").fetchall()
        finally:
            con.close()

    d = spawn(tree, now=NOW)
    d.wait_line(r"started: ", timeout=60)  # the outbox is made
    wait_until(lambda: len(windows("removed = 0")) == n, timeout=120)
    # The first reload's pass begins with a sweep of every window; the
    # second reload lands on it (or just after: the end must not care).
    tree.write_case_file("a.conf", cases(skip=(7,)))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(rf"reloaded: {n - 1} cases", since=mark, timeout=60)
    tree.write_case_file("a.conf", cases(skip=(7, n - 1)))
    d.signal(signal.SIGHUP)
    d.wait_line(rf"reloaded: {n - 2} cases", since=mark, timeout=60)
    gone = [("R-00007",), (f"R-{n - 1:05d}",)]
    wait_until(lambda: windows("removed = 1") == gone, timeout=60)
    for case_id, in gone:
        d.wait_line(rf"case {case_id} window decision is no longer "
                    r"configured", since=mark, timeout=30)
    assert len(windows("removed = 0")) == n - 2
    d.stop()
    for case_id, in gone:
        assert len(d.grep(rf"case {case_id} window decision is no longer "
                          r"configured")) == 1


def burst_tree(tmp_path, hook, n=4000):
    """n announcements due at once to one quick webhook: n / 100
    messages, most of them set up ahead of the 4 in flight."""
    return make_tree(
        tmp_path, [webhook_receiver("hook", hook.url())[:-1] +
                   " group_wait = 0; }"],
        ["hook"],
        {"a.conf": cases_file(*[case(case_id=f"Q-{i:04d}", title=None,
                                     court=None, transferred="2025-07-03")
                                for i in range(n)])})


def keys_by_alert(hook):
    """Each alert id with the Idempotency-Keys it arrived under, and each
    key with the alert ids of every request that carried it."""
    keys, alerts = {}, {}
    for r in hook.snapshot():
        key = r.header("Idempotency-Key")
        ids = frozenset(a["id"] for a in r.alerts)
        alerts.setdefault(key, set()).add(ids)
        for i in ids:
            keys.setdefault(i, set()).add(key)
    return keys, alerts


def test_sigkill_in_a_quick_burst_resends_messages_whole(tmp_path, hook,
                                                         spawn):
    """Messages set up ahead are noted in the outbox before any of them
    is sent: killed in the middle of a burst, the daemon sends each alert
    again, if at all, in the message it was set up in, with its key."""
    tree = burst_tree(tmp_path, hook)
    hook.default = Reply(200, delay=0.01)
    d = spawn(tree, now=NOW)
    hook.wait_requests(8, timeout=60)
    d.kill()
    sent_before = len(hook.snapshot())
    assert tree.messages_pending() > 4      # more set up than in flight
    d2 = spawn(tree, now=NOW)
    wait_until(lambda: len(keys_by_alert(hook)[0]) == 4000, timeout=60,
               message="all 4000 alerts delivered")
    tree.wait_states(["sent"] * 4000, timeout=30)
    keys, alerts = keys_by_alert(hook)
    assert {len(k) for k in keys.values()} == {1}
    assert {len(a) for a in alerts.values()} == {1}   # the same alerts
    assert len(hook.snapshot()) > sent_before
    d2.stop()


def test_reload_in_a_quick_burst_sends_each_message_once(tmp_path, hook,
                                                         spawn):
    """A reload puts the messages set up ahead back, to be read again:
    each alert still goes out exactly once, none is lost, and none that
    was in flight is read again."""
    tree = burst_tree(tmp_path, hook)
    hook.default = Reply(200, delay=0.01)
    d = spawn(tree, now=NOW)
    hook.wait_requests(8, timeout=60)
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 4000 cases", timeout=30)
    wait_until(lambda: len(keys_by_alert(hook)[0]) == 4000, timeout=60,
               message="all 4000 alerts delivered")
    tree.wait_states(["sent"] * 4000, timeout=30)
    time.sleep(0.5)
    keys, alerts = keys_by_alert(hook)
    assert {len(k) for k in keys.values()} == {1}
    assert len(hook.snapshot()) == len(alerts)      # no message twice
    d.stop()
