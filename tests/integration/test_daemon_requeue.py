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
    tried = hook.snapshot()
    # The opened announcement and the due alert of its window, which
    # waits with it: one message, refused for good.
    assert sorted(a["kind"] for r in tried for a in r.alerts) == [
        "due", "opened"]
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    assert not d.grep(r"queued again", since=mark)
    assert len(hook.snapshot()) == len(tried)
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


def resend(tree, *args):
    import subprocess
    from daemon_helpers import binary
    return subprocess.run([binary(), "-c", str(tree.main), "--now", DUE_DAY,
                           "--resend", *args], capture_output=True,
                          text=True, timeout=30)


def delivered(hook, n):
    """Wait for n alerts answered 200; return them."""
    return wait_until(lambda: (lambda got: got if len(got) >= n else None)(
        [a for r, a in hook.alerts() if r.responded is not None and
         r.reply.status == 200]), message=f"{n} alerts delivered")


class Switch:
    """404 until fixed, then 200."""

    def __init__(self):
        self.fixed = False

    def __call__(self, req):
        return Reply(200) if self.fixed else Reply(404, body=b"gone\n")


def test_resend_delivers_a_failed_alert_through_the_running_daemon(
        tmp_path, hook, spawn):
    hook.responder = switch = Switch()
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], CASES, retry=(1, 2))
    d = spawn(tree, now=DUE_DAY)
    d.wait_lines(r"to hook failed for good: HTTP 404", 2)
    assert (tree.state_dir / "deadlined.pid").read_text() == f"{d.pid}\n"

    switch.fixed = True     # the receiver's side was fixed
    r = resend(tree, "hook")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "2 deliveries to hook queued again"
    assert f"told deadlined (pid {d.pid})" in r.stdout
    got = delivered(hook, 2)
    assert sorted(a["kind"] for a in got) == ["due", "opened"]
    tree.wait_states(["sent", "sent"])

    # Nothing is left to send again.
    r = resend(tree, "hook")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "0 deliveries to hook queued again\n"
    d.stop()
    assert not (tree.state_dir / "deadlined.pid").exists()


def test_resend_of_one_case(tmp_path, hook, spawn):
    hook.responder = switch = Switch()
    cases = {"a.conf": cases_file(case(transferred="2025-07-03"),
                                  case(case_id="B-1", transferred="2025-07-03"))}
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], cases, retry=(1, 2))
    d = spawn(tree, now=DUE_DAY)
    d.wait_line(r"to hook failed for good: HTTP 404")
    wait_until(lambda: [r["state"] for r in tree.deliveries()] ==
               ["failed"] * 4)
    switch.fixed = True
    r = resend(tree, "hook", "--case", "B-1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("2 deliveries to hook queued again\n")
    got = delivered(hook, 2)
    assert {a["case"]["id"] for a in got} == {"B-1"}
    wait_until(lambda: sorted((r["case_id"], r["state"])
                              for r in tree.deliveries()) ==
               [(CASE_ID, "failed")] * 2 + [("B-1", "sent")] * 2)
    d.stop()


def test_resend_without_a_daemon_and_to_an_unknown_receiver(tmp_path, hook,
                                                          run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], CASES)
    r = resend(tree, "nobody")
    assert r.returncode == 1
    assert "no receiver named 'nobody'" in r.stderr
    r = resend(tree, "hook", "--case", "X-9")
    assert r.returncode == 1
    assert "no case 'X-9'" in r.stderr
    r = run("-c", tree.main, "--case", "X-9")
    assert r.returncode == 2
    r = resend(tree, "hook")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "0 deliveries to hook queued again\n"


def test_only_what_is_still_true_is_queued_again(tmp_path, hook, run):
    """A fixed receiver gets the window's latest timed alert and its
    announcement, not the stale reminders it missed before."""
    hook.default = Reply(404, body=b"gone\n")
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], CASES)
    for now in ("2025-07-07T09:30", "2025-07-09T09:30", DUE_DAY):
        r = run("-c", tree.main, "--now", now, "--once")
        assert r.returncode == 1, r.stderr      # a delivery failed
    assert sorted(r["kind"] for r in tree.deliveries()) == \
        ["due", "opened", "reminder", "reminder"]
    hook.default = Reply(200)
    r = resend(tree, "hook")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("2 deliveries to hook queued again\n")
    r = run("-c", tree.main, "--now", DUE_DAY, "--once")
    assert r.returncode == 0, r.stderr
    sent = sorted(r["kind"] for r in tree.deliveries()
                  if r["state"] == "sent")
    assert sent == ["due", "opened"]
