"""The record of who was told what and when: one attempts row per try,
with what was sent (the body and its SHA-256, the Idempotency-Key; for
e-mail the subject, the recipients and the Message-ID), in real time even
when --now shifts the daemon's clock; and --status, per receiver, with an
exit status a monitoring check can use."""
import hashlib
import json
import sqlite3
import time

from daemon_helpers import (Reply, case, cases_file, email_receiver,
                            make_tree, webhook_receiver)
from daemon_helpers import hook, smtp  # noqa: F401  (fixtures)


def attempts(tree):
    con = sqlite3.connect(f"file:{tree.outbox}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute(
            "SELECT * FROM attempts ORDER BY id")]
        for r in rows:
            r["alerts"] = [a for (a,) in con.execute(
                "SELECT alert_id FROM attempt_alerts WHERE attempt_id = ?"
                " ORDER BY alert_id", (r["id"],))]
        return rows
    finally:
        con.close()


def test_every_attempt_is_recorded_with_what_was_sent(tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     retry=(1, 2))
    hook.script = [Reply(status=503, body=b"busy, try later")]
    t0 = time.time()
    run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    run("-c", tree.main, "--once", "--now", "2025-07-04T10:01")
    t1 = time.time()
    rows = attempts(tree)
    assert [r["result"] for r in rows] == ["retry", "sent"]
    reqs = hook.snapshot()
    assert len(reqs) == 2
    for r, req in zip(rows, reqs):
        assert r["receiver"] == "hook"
        assert r["message"] == req.header("Idempotency-Key")
        assert r["body"] == req.body.decode("utf-8")
        assert r["body_sha256"] == hashlib.sha256(req.body).hexdigest()
        assert len(r["alerts"]) == 1
        # Real time, not the --now clock, and marked as a --now run.
        assert t0 * 1000 - 1000 <= r["started_ms"] <= t1 * 1000 + 1000
        assert r["duration_ms"] >= 0
        assert abs(r["clock_shift"]) > 86400 * 300
    # The receiver's own words are kept beside its status.
    assert rows[0]["status"] == 503
    assert rows[0]["detail"] == "HTTP 503: busy, try later", rows[0]

    assert rows[1]["status"] == 200


def test_email_attempt_keeps_subject_recipients_message_id(tmp_path, smtp,
                                                           run):
    tree = make_tree(tmp_path, [email_receiver(
        "mail", smtp.url, ["a@example.org", "b@example.org"])], ["mail"],
        {"a.conf": cases_file(case(transferred="2025-07-03"))})
    r = run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    assert r.returncode == 0, r.stderr
    [a] = attempts(tree)
    [mail] = smtp.wait_mails(1)
    assert a["result"] == "sent"
    assert a["recipients"] == "a@example.org, b@example.org"
    assert a["message_id"] == mail.message["Message-ID"]
    assert a["subject"] == str(mail.message["Subject"])
    assert a["body_sha256"]


def test_status_per_receiver_and_exit_status(tmp_path, hook, run):
    hook.responder = lambda req: Reply(
        status=404, body=b"<h1>404 Not Found</h1>\r\n") \
        if req.path.startswith("/gone") else Reply(200)
    tree = make_tree(tmp_path, [webhook_receiver("ok", hook.url("/ok")),
                                webhook_receiver("gone", hook.url("/gone"))],
                     ["ok", "gone"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    r = run("-c", tree.main, "--status", "--now", "2025-07-04T10:05")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["RECEIVER", "TYPE", "LAST"]
    assert any(line.startswith("  gone: last failure: HTTP 404")
               for line in lines), r.stdout
    assert any("deadlined --resend gone" in line for line in lines)
    r = run("-c", tree.main, "--status", "--json", "--now",
            "2025-07-04T10:05")
    assert r.returncode == 1
    got = {o["receiver"]: o for o in json.loads(r.stdout)}
    assert got["ok"]["ok"] is True and got["ok"]["last_sent"] is not None
    assert got["ok"]["failed"] == 0 and got["ok"]["waiting"] == 0
    assert got["gone"]["ok"] is False
    assert got["gone"]["failed"] == 1 and got["gone"]["failed_open"] == 1
    # What the receiver said, on one line.
    assert got["gone"]["last_failure_reason"] == \
        "HTTP 404: <h1>404 Not Found</h1>"
    assert got["gone"]["last_sent"] is None


def test_status_is_zero_when_all_is_well(tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("ok", hook.url())], ["ok"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    r = run("-c", tree.main, "--status", "--now", "2025-07-04T10:05")
    assert r.returncode == 0, r.stdout + r.stderr


def test_history_of_a_case_as_text_json_and_csv(tmp_path, hook, run):
    import csv
    import io
    hook.script = [Reply(status=503)]
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred="2025-07-03",
                              not_filed="2025-07-09"),
                         case(case_id="B-1", transferred="2025-07-04"))},
                     retry=(1, 2))
    run("-c", tree.main, "--once", "--now", "2025-07-09T10:00")
    run("-c", tree.main, "--once", "--now", "2025-07-09T10:01")
    case_id = "(2025)沪0115执1234号"

    r = run("-c", tree.main, "--history", case_id)
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert text.startswith(f"case {case_id}")
    assert "2025-07-03  recorded: transferred" in text
    assert "2025-07-09  recorded: not_filed" in text
    assert ("window decision (Police decision on opening a case): opened "
            "2025-07-03, 7 days, deadline 2025-07-10, closed by not_filed "
            "on 2025-07-09") in text
    assert "opened/reasons to hook: retry" in text
    assert "opened/reasons to hook: sent" in text
    assert "B-1" not in text

    r = run("-c", tree.main, "--history", case_id, "--json")
    doc = json.loads(r.stdout)
    assert doc["case"]["id"] == case_id
    assert [e["name"] for e in doc["case"]["events"]] == ["transferred",
                                                          "not_filed"]
    [dec] = [w for w in doc["case"]["windows"] if w["name"] == "decision"]
    assert dec["closed_by"] == "not_filed" and dec["closed"] is True
    results = [d["attempt"]["result"] for d in doc["deliveries"]
               if "attempt" in d]
    assert results == ["retry", "sent"]
    assert all(d["case"] == case_id for d in doc["deliveries"])

    r = run("-c", tree.main, "--history", "--csv")
    assert r.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(
        r.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert {row["case"] for row in rows} == {case_id, "B-1"}
    attempts_ = [row for row in rows if row["what"] == "attempt"]
    assert len(attempts_) == 6           # three alerts, each tried twice
    assert {row["result"] for row in attempts_} == {"retry", "sent"}
    # Newest first.
    times = [row["time"] for row in rows]
    assert times == sorted(times, reverse=True)

    r = run("-c", tree.main, "--history", "--since", "2030-01-01")
    assert r.returncode == 0 and r.stdout == ""
    r = run("-c", tree.main, "--csv")
    assert r.returncode == 2
