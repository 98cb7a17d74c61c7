"""A receiver that is down or refuses: 429 and 5xx are retried with
backoff, never sooner than Retry-After; other 4xx fail for good."""
import socket
import time

from daemon_helpers import (URL_TOKEN, Reply, case, cases_file, make_tree,
                            wait_until, webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

CASES = {"a.conf": cases_file(case(transferred="2025-07-03"))}
NOW = "2025-07-04T10:00"     # the opened alert is due at once; nothing else


def test_503_then_429_then_200_is_delivered(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], CASES, retry=(1, 2))
    # The 503 and the 429 are answered late in a wall-clock second, so a
    # daemon that counts its waits in whole seconds of its clock would
    # come back up to a second early.
    hook.script = [Reply(503, align=0.9),
                   Reply(429, headers={"Retry-After": "3"}, align=0.9),
                   Reply(200)]
    d = spawn(tree, now=NOW)
    reqs = hook.wait_requests(3, timeout=12)
    d.wait_line(r"delivered opened for case .* window decision to hook: "
                r"HTTP 200")
    first, second, third = reqs[:3]

    d.wait_line(r"delivery of opened for case .* to hook failed: HTTP 503"
                r".*; retry in [12]s")
    d.wait_line(r"delivery of opened for case .* to hook failed: HTTP 429"
                r".*; retry in [3-9]s")
    assert second.arrived - first.responded >= 1.0, (
        f"retried {second.arrived - first.responded:.2f}s after a 503 "
        f"with retry.first = 1")
    assert third.arrived - second.responded >= 3.0, (
        f"retried {third.arrived - second.responded:.2f}s after a 429 "
        f"with Retry-After: 3")
    # One alert, resent: same body identity and key each time.
    assert len({r.header("Idempotency-Key") for r in reqs}) == 1
    assert len({r.alerts[0]["id"] for r in reqs}) == 1
    time.sleep(1.5)
    assert len(hook.snapshot()) == 3
    rows = tree.deliveries()
    assert len(rows) == 1
    assert rows[0]["state"] == "sent" and rows[0]["attempts"] == 3, rows
    d.stop()


def test_400_is_tried_once_and_fails_for_good(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], CASES, retry=(1, 2))
    hook.default = Reply(400, body=b"bad request\n")
    d = spawn(tree, now=NOW)
    hook.wait_requests(1, timeout=5)
    d.wait_line(r"delivery of opened for case .* to hook failed for good: "
                r"HTTP 400")
    time.sleep(4)       # retry.first is 1 s: a retry would have come
    assert len(hook.snapshot()) == 1
    rows = tree.deliveries()
    assert len(rows) == 1
    assert rows[0]["state"] == "failed", rows
    assert rows[0]["last_status"] == 400, rows
    assert rows[0]["attempts"] == 1, rows
    d.stop()


def test_unreachable_receiver_is_retried_without_leaking_the_url(
        tmp_path, spawn):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()           # nothing listens there now
    url = f"http://127.0.0.1:{port}/hook?token="
    tree = make_tree(tmp_path, [webhook_receiver("hook", url + URL_TOKEN)],
                     ["hook"], CASES, retry=(1, 2))
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivery of opened for case .* to hook failed: .*; "
                r"retry in [12]s", timeout=8)
    d.wait_line(r"delivery of opened for case .* to hook failed: .*; "
                r"retry in \d+s", since=d.mark(), timeout=8)
    rows = wait_until(lambda: [r for r in tree.deliveries()
                               if r["attempts"] >= 2])
    assert rows[0]["state"] == "pending", rows
    d.stop()            # checks that the token is not on stderr
