"""SIGHUP reloads: a broken configuration is refused with FILE:LINE errors
and the old one keeps running; a new case is announced; a recorded
not_filed closes `decision` and opens `reasons`."""
import os
import re
import signal
import time

from daemon_helpers import (CASE_ID, HOOK_SECRET, REASONS_TITLE, case,
                            cases_file, log_receiver, make_tree,
                            webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

NOW = "2025-07-05T10:00"    # no timed alert due for either case today

BROKEN = """cases = (
  { id = "B-1"; title = "B"; court = "C";
    transfered = "2025-07-04"; }
);
"""


def kinds(alerts):
    return sorted((a["case"]["id"], a["window"]["name"], a["kind"])
                  for _, a in alerts)


def test_reload(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now=NOW)
    hook.wait_requests(1, timeout=5)
    d.wait_line(r"delivered opened for case .* to hook: HTTP 200")
    assert kinds(hook.alerts()) == [(CASE_ID, "decision", "opened")]

    # 1. A broken case file: refused, FILE:LINE logged, old config kept.
    bad = tree.write_case_file("b.conf", BROKEN)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reload failed", since=mark)
    errors = d.grep(re.escape(str(bad)) + r":(\d+): (.*)", since=mark)
    assert errors, d.text
    assert [m.group(1) for m in errors] == ["3"], d.text
    assert "transfered" in errors[0].group(2)
    assert d.running()
    time.sleep(1)
    assert len(hook.snapshot()) == 1        # nothing from B-1

    # 2. The case file fixed: B-1 is announced.
    tree.write_case_file("b.conf", cases_file(
        case(case_id="B-1", title="B", court="C", transferred="2025-07-04")))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 2 cases", since=mark)
    hook.wait_requests(2, timeout=5)
    d.wait_line(r"delivered opened for case B-1 window decision to hook",
                since=mark)
    assert kinds(hook.alerts()) == [(CASE_ID, "decision", "opened"),
                                    ("B-1", "decision", "opened")]

    # 3. not_filed recorded: decision closes, reasons opens.
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", not_filed="2025-07-05")))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 2 cases", since=mark)
    hook.wait_alerts(4)
    new = hook.alerts()[2:]
    assert kinds(new) == [(CASE_ID, "decision", "closed"),
                          (CASE_ID, "reasons", "opened")]
    reasons = next(a for _, a in new if a["window"]["name"] == "reasons")
    assert reasons["window"]["title"] == REASONS_TITLE
    assert reasons["window"]["opened"] == "2025-07-05"
    # 07-12 is a Saturday: the deadline rolls to Monday 07-14.
    assert reasons["window"]["deadline"] == "2025-07-14"

    time.sleep(1)
    assert len(hook.alerts()) == 4, kinds(hook.alerts())
    d.stop()


def test_reload_with_an_extension_announces_extended(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now=NOW)
    hook.wait_alerts(1)
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", extended="2025-07-05")))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    hook.wait_alerts(2)
    time.sleep(1)
    assert kinds(hook.alerts()) == [(CASE_ID, "decision", "extended"),
                                    (CASE_ID, "decision", "opened")]
    ext = hook.alerts()[1][1]
    assert ext["kind"] == "extended"
    assert ext["window"]["extended"] is True
    assert ext["window"]["days"] == 30
    # 07-03 + 30 = Saturday 08-02: rolled to Monday 08-04.
    assert ext["window"]["deadline"] == "2025-08-04"
    assert ext["days_left"] == 30
    d.stop()


def test_closing_cancels_waiting_reminders(tmp_path, hook, spawn):
    """A receiver that is down when the decision is recorded never gets
    the stale reminder afterwards: a closed window never alerts again."""
    from daemon_helpers import Reply, wait_until
    hook.default = Reply(503)
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     retry=(1, 2))
    # 07-07 09:00 is the 3-day reminder, due (and caught up) at once.
    d = spawn(tree, now="2025-07-07T09:00:05")
    d.wait_line(r"delivery of reminder for case .* failed: HTTP 503")
    tree.write_case_file("a.conf", cases_file(
        case(transferred="2025-07-03", filed="2025-07-07")))
    d.signal(signal.SIGHUP)
    d.wait_line(r"cancelled 1 waiting alert for case .* window decision: "
                r"the window closed before delivery")
    hook.default = Reply(200)
    d.wait_line(r"delivered closed for case .* to hook: HTTP 200",
                timeout=15)
    time.sleep(3)       # retry.first is 1 s: a reminder would have come
    delivered = {a["kind"] for r, a in hook.alerts() if r.reply and
                 r.reply.status == 200}
    assert "reminder" not in delivered, delivered
    assert "closed" in delivered
    rows = wait_until(lambda: {r["kind"]: r["state"]
                               for r in tree.deliveries()
                               if r["kind"] == "reminder"} or None)
    assert rows == {"reminder": "cancelled"}
    d.stop()


def test_warnings_at_start_and_on_reload(tmp_path, spawn):
    # A stray backup file and an event after today: logged at start; an
    # event a year after its window opened: logged on reload.  Neither
    # stops the daemon nor a reload.
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"),
                                           case(case_id="F-1",
                                                transferred="2025-07-06"))})
    (tree.cases_dir / "a.conf~").write_text("", encoding="utf-8")
    a = tree.cases_dir / "a.conf"
    d = spawn(tree, now=NOW)
    d.wait_line(r"started: 2 cases")
    d.wait_line(re.escape(f"{tree.cases_dir}/a.conf~: warning: not read: "
                          "only *.conf files in cases_dir are read"))
    d.wait_line(re.escape(f"{a}:") + r"\d+: warning: case \"F-1\": "
                r"'transferred' \(2025-07-06\) is after today \(2025-07-05\)")

    tree.write_case_file("a.conf", cases_file(
        case(transferred="2024-07-03", filed="2025-07-05")))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    d.wait_line(re.escape(f"{a}:") + r"\d+: warning: case \"" +
                re.escape(CASE_ID) + r"\": 'filed' \(2025-07-05\) is 367 "
                r"days after 'transferred'", since=mark)
    assert d.running()
def test_reload_with_a_fifo_in_cases_dir_keeps_the_old_config(tmp_path,
                                                              spawn):
    # Reading a FIFO would block the event loop forever: it is refused
    # without being read, and the daemon goes on answering signals.
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now=NOW)
    d.wait_line(r"started: 1 case")
    fifo = tree.cases_dir / "b.conf"
    os.mkfifo(fifo)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(re.escape(f"{fifo}: cannot read: not a regular file "
                          "(a FIFO)"), since=mark, timeout=5)
    d.wait_line(r"reload failed: 1 error; still running on the previous "
                r"configuration", since=mark, timeout=5)
    assert d.running()
    d.stop(timeout=5)


def test_secret_permissions_at_start_and_reload(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url(),
                                                 secret_file="secrets/hook")],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     secrets={"secrets/hook": HOOK_SECRET + "\n"})
    secret = tree.root / "secrets" / "hook"
    secret.chmod(0o644)
    d = spawn(tree, now=NOW)
    d.wait_line(re.escape(f"warning: secret_file '{secret}' is readable by "
                          "others; chmod 600 it"))
    d.wait_line(r"started: ")
    # Fixed: the reload has nothing to say about it.
    secret.chmod(0o600)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 1 case", since=mark)
    assert not d.grep(r"warning: secret_file", since=mark), d.text
    # Writable by others: an error, the reload is refused.
    secret.chmod(0o646)
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(re.escape(f"secret_file '{secret}' is writable by others; "
                          "chmod 600 it"), since=mark)
    d.wait_line(r"reload failed: 1 error", since=mark)
    d.stop()
