"""A failure is never the end: a reload that changes a receiver queues
again what it failed to deliver (of windows still open), and deliveries
waiting for a receiver that is no longer configured are cancelled with
the reason, not left pending for whoever takes the name next."""
import signal
import socket

from daemon_helpers import (CASE_ID, Reply, case, cases_file, log_receiver,
                            make_tree, wait_until, webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

CASES = {"a.conf": cases_file(case(transferred="2025-07-03"))}
DUE_DAY = "2025-07-10T10:00"    # the deadline day, after notify_at


def not_found_on_bad(req):
    return Reply(404, body=b"no such hook\n") if req.path.startswith("/bad") \
        else Reply(200)


def test_fixing_a_404_receiver_on_the_deadline_day_sends_the_due_alert(
        tmp_path, hook, spawn):
    hook.responder = not_found_on_bad
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url("/bad"))],
                     ["hook"], CASES, retry=(1, 2))
    d = spawn(tree, now=DUE_DAY)
    d.wait_lines(r"to hook failed for good: HTTP 404", 2)
    assert sorted(r["kind"] for r in tree.deliveries()) == ["due", "opened"]
    assert {r["state"] for r in tree.deliveries()} == {"failed"}

    # The administrator fixes the URL and reloads.
    make_tree(tmp_path, [webhook_receiver("hook", hook.url("/good"))],
              ["hook"], CASES, retry=(1, 2))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"receiver hook changed: 2 deliveries queued again",
                since=mark)
    got = hook.wait_alerts(2, path_prefix="/good")
    assert sorted(a["kind"] for _, a in got) == ["due", "opened"]
    assert all(a["case"]["id"] == CASE_ID for _, a in got)
    rows = tree.wait_states(["sent", "sent"])
    assert all(r["attempts"] == 1 for r in rows), rows

    # A reload that changes nothing queues nothing again.
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    assert not d.grep(r"queued again", since=mark)
    d.stop()


def test_an_unchanged_receiver_is_not_tried_again(tmp_path, hook, spawn):
    hook.responder = not_found_on_bad
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url("/bad"))],
                     ["hook"], CASES, retry=(1, 2))
    d = spawn(tree, now=DUE_DAY)
    d.wait_lines(r"to hook failed for good: HTTP 404", 2)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    assert not d.grep(r"queued again", since=mark)
    assert len(hook.snapshot()) == 2
    d.stop()


def unreachable_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/hook"


def test_a_removed_receivers_waiting_deliveries_are_cancelled(
        tmp_path, spawn):
    down = webhook_receiver("down", unreachable_url())
    tree = make_tree(tmp_path, [down, log_receiver()], ["down", "log"],
                     CASES, retry=(30, 60))
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivery of opened for case .* to down failed: .*; "
                r"retry in \d+s")
    rows = tree.wait_states(["pending", "sent"])
    assert rows[0]["receiver"] == "down"

    make_tree(tmp_path, [log_receiver()], ["log"], CASES, retry=(30, 60))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"receiver down is no longer configured: 1 waiting "
                r"delivery cancelled", since=mark)
    rows = wait_until(lambda: [r for r in tree.deliveries()
                               if r["state"] == "cancelled"])
    assert rows[0]["receiver"] == "down"
    assert rows[0]["last_error"] == "receiver down is no longer configured"

    # A receiver given the name later does not inherit them.
    d.stop()
    make_tree(tmp_path, [webhook_receiver("down", unreachable_url()),
                         log_receiver()], ["down", "log"], CASES,
              retry=(30, 60))
    d = spawn(tree, now="2025-07-04T10:05")
    d.wait_line(r"started: 1 case")
    d.wait_line(r"next wake-up|planned", timeout=5)
    assert not d.grep(r"to down")
    d.stop()
