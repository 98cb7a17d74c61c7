"""The running daemon delivers by webhook: on time, in DESIGN.md's version
1 body, signed, and only once across a clean restart; --once sends what is
due and exits."""
import re
import time

from daemon_helpers import (CASE_COURT, CASE_ID, CASE_TITLE, DECISION_TITLE,
                            HOOK_SECRET, HOOK_SECRET_2, URL_TOKEN, case,
                            cases_file, make_tree, signature,
                            webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

SENT_AT = re.compile(r"^2025-07-07T(\d\d):(\d\d):(\d\d)\+08:00$")
HEX_ID = re.compile(r"^[0-9a-f]{16,}$")


def two_hooks_tree(tmp_path, hook):
    receivers = [
        webhook_receiver("hook_a", hook.url("/a"), secret_file="secrets/a",
                         headers=["X-Team: legal"]),
        webhook_receiver("hook_b", hook.url("/b"), secret_file="secrets/b"),
    ]
    return make_tree(tmp_path, receivers, ["hook_a", "hook_b"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     secrets={"secrets/a": HOOK_SECRET + "\n",
                              "secrets/b": HOOK_SECRET_2 + "\n"})


def expected_alert(kind, days_left):
    return {
        "kind": kind, "days_left": days_left,
        "case": {"id": CASE_ID, "title": CASE_TITLE, "court": CASE_COURT,
                 "transferred": "2025-07-03"},
        "window": {"name": "decision", "title": DECISION_TITLE,
                   "opened": "2025-07-03", "days": 7, "extended": False,
                   "deadline": "2025-07-10",
                   "deadline_at": "2025-07-10T23:59:59+08:00",
                   "provisional": False},
    }


def check_request(req, receiver, secret):
    """Headers and signature of one webhook request."""
    assert req.method == "POST"
    assert req.path == f"/{receiver[-1]}?token={URL_TOKEN}"
    assert req.header("Content-Type") == "application/json"
    assert req.header("User-Agent").startswith("deadlined/")
    assert req.header("Idempotency-Key"), req.headers
    assert req.header("X-Deadlined-Signature") == signature(secret,
                                                           req.body)
    doc = req.json
    assert doc["receiver"] == receiver
    return doc


def test_reminder_on_time_with_the_version_1_body(tmp_path, hook, spawn):
    tree = two_hooks_tree(tmp_path, hook)
    d = spawn(tree, now="2025-07-07T08:59:56")

    # The first start announces the window at once, to each receiver.
    opened = hook.wait_requests(2, timeout=5)
    assert sorted(r.path[:2] for r in opened) == ["/a", "/b"]
    for r in opened:
        assert [a["kind"] for a in r.alerts] == ["opened"]

    # The 3-day reminder is due at 09:00, four seconds of daemon time on.
    reqs = hook.wait_requests(4, timeout=9)
    reminders = reqs[2:]
    assert len(reminders) == 2
    for req in reminders:
        receiver = "hook_a" if req.path.startswith("/a") else "hook_b"
        secret = HOOK_SECRET if receiver == "hook_a" else HOOK_SECRET_2
        doc = check_request(req, receiver, secret)

        # On time: the daemon says 09:00:00..09:00:02, and in real time
        # it came 3..6 s (2 s, and some slack for start-up) after the
        # daemon was started at 08:59:56.
        m = SENT_AT.match(doc["sent_at"])
        assert m, doc["sent_at"]
        hh, mm, ss = map(int, m.groups())
        assert (hh, mm) == (9, 0) and ss <= 2, doc["sent_at"]
        assert 2.9 <= req.arrived - d.started <= 6.5, (
            req.arrived - d.started)

        # The body, exactly.
        assert list(doc) == ["version", "receiver", "sent_at", "alerts"]
        assert doc["version"] == 1
        assert len(doc["alerts"]) == 1
        alert = dict(doc["alerts"][0])
        assert HEX_ID.match(alert.pop("id"))
        assert alert == expected_alert("reminder", 3)

    a = next(r for r in reminders if r.path.startswith("/a"))
    b = next(r for r in reminders if r.path.startswith("/b"))
    assert a.header("X-Team") == "legal"
    assert b.header("X-Team") is None
    # One alert, two deliveries: same alert id, different keys.
    assert a.alerts[0]["id"] == b.alerts[0]["id"]
    assert a.header("Idempotency-Key") != b.header("Idempotency-Key")
    keys = {r.header("Idempotency-Key") for r in hook.snapshot()}
    assert len(keys) == 4
    d.wait_line(r"delivered reminder for case .* window decision to "
                r"hook_[ab]: HTTP 200")
    d.stop()

    # A clean restart sends nothing again.
    rows = tree.deliveries()
    assert len(rows) == 4 and {r["state"] for r in rows} == {"sent"}, rows
    d2 = spawn(tree, now="2025-07-07T08:59:59")
    d2.wait_line(r"started: ")
    time.sleep(3)
    assert len(hook.snapshot()) == 4, [r.alerts for r in hook.snapshot()]
    assert not d2.grep(r"delivered|sending|queued")
    d2.stop()


def test_once_sends_what_is_due_and_exits_0(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-10T09:30", args=["--once"])
    assert d.wait_exit(timeout=10) == 0, d.text
    d.assert_clean()
    kinds = sorted(a["kind"] for _, a in hook.alerts())
    assert kinds == ["due", "opened"]
    for req in hook.snapshot():
        assert req.header("X-Deadlined-Signature") is None  # no secret
    due = next(a for _, a in hook.alerts() if a["kind"] == "due")
    assert due["days_left"] == 0
    assert {r["state"] for r in tree.deliveries()} == {"sent"}

    # --once does not wait group_wait: both went out in one digest.
    assert len(hook.snapshot()) == 1

    # Again: nothing is due that was not sent.
    d2 = spawn(tree, now="2025-07-10T09:31", args=["--once"])
    assert d2.wait_exit(timeout=10) == 0, d2.text
    d2.assert_clean()
    assert len(hook.snapshot()) == 1


def test_sigterm_exits_0(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivered opened for case .* to hook: HTTP 200")
    d.stop()


def test_deadline_in_an_uncovered_year_is_provisional(tmp_path, hook, spawn):
    # The calendar lists 2025's National Day only; the window opened on
    # 2025-12-29 ends on 2026-01-05, a year nobody put the holidays of.
    calendar = """calendar = {
  weekend  = [ "sat", "sun" ];
  holidays = [ "2025-10-01", "2025-10-02", "2025-10-03" ];
};"""
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-12-29"),
                                           case(case_id="B-1",
                                                transferred="2025-07-03"))},
                     calendar=calendar)
    d = spawn(tree, now="2025-12-30T10:00", args=["--once"])
    assert d.wait_exit(timeout=10) == 0, d.text
    windows = {a["case"]["id"]: a["window"] for _, a in hook.alerts()
               if a["kind"] == "opened"}
    assert windows[CASE_ID]["deadline"] == "2026-01-05"
    assert windows[CASE_ID]["provisional"] is True
    assert windows["B-1"]["provisional"] is False
    d.assert_clean()
