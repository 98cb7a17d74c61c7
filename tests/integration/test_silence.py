"""Silences: a case, or one of its windows, gets no timed alerts until a
day (inclusive, local), written in the case file or in silences_dir.
Announcements still go out; each skipped timed alert is recorded in the
outbox as `silenced` with the silence; the first alert after it says the
window was silenced; --list shows `silenced` with the until date; a
silence without `until`, reaching more than 90 days ahead or naming an
unknown case, window or court is a FILE:LINE error.

The case: transferred Tue 2026-12-01, deadline Tue 12-08; reminders on
Fri 12-04 (Sat 12-05 moved to the working day before) and Mon 12-07,
due on 12-08, overdue on working days from 12-09 on.  The silence runs
until 12-10, so the first timed alert after it is the overdue of 12-11.
Each step is a `--once --now` run, as a daemon at that moment."""
import json
import signal
import sqlite3

from conftest import Raw, assert_error
from daemon_helpers import (Daemon, case, cases_file, email_receiver,
                            make_tree, webhook_receiver)
from daemon_helpers import hook, smtp, spawn  # noqa: F401  (fixtures)

CASE = "(2026)沪0115执7001号"
OTHER = "(2026)沪0115执7002号"
REASON = "settlement talks under way"
SILENCE = Raw('{ until = "2026-12-10"; reason = "%s"; window = "decision"; }'
              % REASON)


def once(run, tree, now):
    r = run("-c", tree.main, "--once", "--now", now)
    assert r.returncode == 0, r.stderr
    return r


def tree_with(tmp_path, hook, *cases, extra=""):
    return make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(*cases)}, extra=extra)


def rows(tree):
    con = sqlite3.connect(tree.outbox)
    try:
        return con.execute(
            "SELECT a.case_id, a.kind, a.due_at, d.state, d.last_error"
            " FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
            " ORDER BY a.due_at, d.rowid").fetchall()
    finally:
        con.close()


def test_silence_through_a_deadline(tmp_path, hook, run):
    tree = tree_with(tmp_path, hook,
                     case(CASE, transferred="2026-12-01", silence=SILENCE),
                     case(OTHER, transferred="2026-12-01"))
    assert run("-c", tree.main, "-t", "--now",
               "2026-12-02T08:00").returncode == 0
    preview = json.loads(run("-c", tree.main, "--preview", "--days", "12",
                             "--json", "--now", "2026-12-02T09:00:01")
                         .stdout)
    for day in range(2, 15):
        once(run, tree, f"2026-12-{day:02d}T09:00:01")
        if day == 6:
            r = run("-c", tree.main, "--list", "--now", "2026-12-06T10:00")
            line = [x for x in r.stdout.splitlines() if CASE in x][0]
            assert "silenced until 2026-12-10" in line, r.stdout
            assert "2026-12-11T09:00:00+08:00" in line, r.stdout
            js = json.loads(run("-c", tree.main, "--list", "--json",
                                "--now", "2026-12-06T10:00").stdout)
            [mine] = [x for x in js if x["case"] == CASE]
            assert mine["state"] == "silenced"
            assert mine["silenced_until"] == "2026-12-10"
            assert mine["silence_reason"] == REASON
            assert mine["next_alert"] == "2026-12-11T09:00:00+08:00"
            [other] = [x for x in js if x["case"] == OTHER]
            assert other["state"] == "due_soon" and "silenced_until" \
                not in other
    got = [(a["case"]["id"], a["kind"], a["days_left"])
           for _, a in hook.alerts()]
    mine = [g for g in got if g[0] == CASE]
    # The announcement went out; the timed alerts up to 12-10 did not;
    # the overdue alerts of Fri 12-11 and (after the weekend, reminders
    # on working days) Mon 12-14 did.
    assert mine == [(CASE, "opened", 6), (CASE, "overdue", -3),
                    (CASE, "overdue", -6)], got
    # --preview said so beforehand.
    assert [(p["case"], p["kind"], p["days_left"]) for p in preview
            if p["case"] == CASE] == mine, preview
    # The other case, not silenced, got every one.
    assert [g[1] for g in got if g[0] == OTHER] == [
        "opened", "reminder", "reminder", "due", "overdue", "overdue",
        "overdue", "overdue"]
    silenced = [r for r in rows(tree) if r[3] == "silenced"]
    assert [r[1] for r in silenced] == ["reminder", "reminder", "due",
                                        "overdue", "overdue"]
    assert all(r[0] == CASE and r[4] == f"silenced until 2026-12-10: "
               f"{REASON}" for r in silenced)
    # The first alert after the silence says it was silenced, and why.
    resumed = [a for _, a in hook.alerts()
               if a["case"]["id"] == CASE and a["kind"] == "overdue"]
    assert resumed[0]["silenced"] == {"until": "2026-12-10",
                                      "reason": REASON}
    assert "silenced" not in resumed[1]
    # --history shows the silence.
    r = run("-c", tree.main, "--history", CASE, "--now",
            "2026-12-12T10:00")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(f"silenced (silenced until 2026-12-10: "
                          f"{REASON})") == 5, r.stdout
    assert (f"  silence of window decision until 2026-12-10: {REASON} ("
            f"{tree.cases_dir / 'a.conf'}:") in r.stdout, r.stdout
    js = json.loads(run("-c", tree.main, "--history", CASE, "--json",
                        "--now", "2026-12-12T10:00").stdout)
    assert [(s["window"], s["until"], s["reason"])
            for s in js["case"]["silences"]] == [
                ("decision", "2026-12-10", REASON)]
    r = run("-c", tree.main, "--history", CASE, "--html", "--lang", "en",
            "--now", "2026-12-12T10:00")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("silenced, not sent") == 5, r.stdout
    assert f"silenced until 2026-12-10: {REASON}" in r.stdout
    r = run("-c", tree.main, "--status", "--now", "2026-12-12T10:00")
    assert r.returncode == 0, r.stderr
    assert "SILENCED" in r.stdout, r.stdout
    [st] = json.loads(run("-c", tree.main, "--status", "--json", "--now",
                          "2026-12-12T10:00").stdout)
    assert st["silenced"] == 5


def test_resumed_alert_text_says_so(tmp_path, smtp, run):
    """The e-mail of the first alert after a silence says until when and
    why the window was silenced, in Chinese and in English."""
    zh = email_receiver("zh", smtp.url, ["zh@example.org"])
    en = email_receiver("en", smtp.url, ["en@example.org"])
    en = en[:-1] + 'language = "en"; }'
    tree = make_tree(tmp_path, [zh, en], ["zh", "en"],
                     {"a.conf": cases_file(case(
                         CASE, transferred="2026-12-01",
                         silence=SILENCE))})
    once(run, tree, "2026-12-02T09:00:01")
    once(run, tree, "2026-12-09T09:00:01")
    once(run, tree, "2026-12-11T09:00:01")
    mails = smtp.wait_mails(4)
    bodies = {m.rcpt_tos[0]: m.message.get_body().get_content()
              for m in mails[2:]}
    assert ("此期限的提醒曾暂停至 2026-12-10（原因：" + REASON +
            "），现恢复发送。") in bodies["zh@example.org"], bodies
    assert ("Alerts for this window were silenced until 2026-12-10 (" +
            REASON + "); they resume now.") in bodies["en@example.org"], \
        bodies
    assert "3 days overdue" in bodies["en@example.org"]


def test_announcements_go_out_under_a_silence(tmp_path, hook, run):
    tree = tree_with(tmp_path, hook,
                     case(CASE, transferred="2026-12-01", silence=SILENCE))
    once(run, tree, "2026-12-02T09:00:01")
    tree.write_case_file("a.conf", cases_file(case(
        CASE, transferred="2026-12-01", extended="2026-12-04",
        silence=SILENCE)))
    once(run, tree, "2026-12-05T09:00:01")
    tree.write_case_file("a.conf", cases_file(case(
        CASE, transferred="2026-12-01", extended="2026-12-04",
        filed="2026-12-06", silence=SILENCE)))
    once(run, tree, "2026-12-07T09:00:01")
    assert [a["kind"] for _, a in hook.alerts()] == ["opened", "extended",
                                                     "closed"]


def test_silences_dir_by_court_and_by_case(tmp_path, hook, run):
    court = "上海市浦东新区人民法院"
    tree = tree_with(tmp_path, hook,
                     case(CASE, court=court, transferred="2026-12-01"),
                     case(OTHER, court="Other court",
                          transferred="2026-12-01"),
                     case("C-3", court="Other court",
                          transferred="2026-12-01"),
                     extra='silences_dir = "silences.d";')
    sd = tmp_path / "silences.d"
    sd.mkdir()
    (sd / "court.conf").write_text(
        f'silence = {{ court = "{court}"; until = "2026-12-07";\n'
        f'  reason = "court closed for audit"; }};\n', encoding="utf-8")
    (sd / "cases.conf").write_text(
        f'silences = ( {{ cases = [ "{OTHER}" ]; until = "2026-12-05";\n'
        f'  reason = "talks"; }} );\n', encoding="utf-8")
    (sd / "notes.txt").write_text("not read\n")
    for day in (2, 5, 7, 8):
        once(run, tree, f"2026-12-{day:02d}T09:00:01")
    got = [(a["case"]["id"], a["kind"], a["days_left"])
           for _, a in hook.alerts() if a["kind"] != "opened"]
    assert sorted(got) == sorted([
        ("C-3", "reminder", 3), ("C-3", "reminder", 1), ("C-3", "due", 0),
        (OTHER, "reminder", 1), (OTHER, "due", 0), (CASE, "due", 0)]), got
    states = [(r[0], r[1], r[3]) for r in rows(tree) if r[3] == "silenced"]
    assert sorted(states) == sorted([(CASE, "reminder", "silenced"),
                                     (CASE, "reminder", "silenced"),
                                     (OTHER, "reminder", "silenced")])


def test_reload_picks_up_silences_dir(tmp_path, hook):
    tree = tree_with(tmp_path, hook, case(CASE, transferred="2026-12-01"),
                     extra='silences_dir = "silences.d";')
    sd = tmp_path / "silences.d"
    sd.mkdir()
    # Mon 12-07 08:59:50: the 1-day reminder is due at 09:00 (the one of
    # Fri 12-04 is not caught up: today has an alert of its own).
    d = Daemon(tree, now="2026-12-07T08:59:50")
    try:
        d.wait_line(r"started")
        (sd / "a.conf").write_text(
            f'silence = {{ cases = [ "{CASE}" ]; until = "2026-12-07";'
            f' reason = "talks"; }};\n', encoding="utf-8")
        d.signal(signal.SIGHUP)
        d.wait_line(r"reloaded")
        d.wait_line(r"reminder for case .* not sent: silenced until "
                    r"2026-12-07: talks", timeout=15)
        # A silence too long is rejected at reload, as any error is.
        (sd / "b.conf").write_text(
            f'silence = {{ cases = [ "{CASE}" ]; until = "2027-06-01";'
            f' reason = "forgotten"; }};\n', encoding="utf-8")
        mark = d.mark()
        d.signal(signal.SIGHUP)
        d.wait_line(r"b\.conf:1: silence until 2027-06-01 is \d+ days after "
                    r"today", since=mark)
        d.wait_line(r"reload failed: 1 error; still running on the "
                    r"previous configuration", since=mark)
        d.stop()
    finally:
        d.close()
    assert [a["kind"] for _, a in hook.alerts()] == ["opened"]


def test_silence_errors(tmp_path, hook, run):
    tree = tree_with(tmp_path, hook,
                     case(CASE, transferred="2026-12-01",
                          silence=Raw('{ reason = "x"; }')),
                     case(OTHER, transferred="2026-12-01",
                          silence=Raw('{ until = "2027-03-02"; '
                                      'reason = "x"; }')),
                     case("C-3", transferred="2026-12-01",
                          silence=Raw('{ until = "2026-12-10"; reason = "x";'
                                      ' window = "decisoin"; }')),
                     extra='silences_dir = "silences.d";')
    sd = tmp_path / "silences.d"
    sd.mkdir()
    (sd / "a.conf").write_text(
        'silences = (\n'
        '  { cases = [ "NO-SUCH" ]; until = "2026-12-10"; reason = "x"; },\n'
        '  { court = "Nowhere"; until = "2026-12-10"; reason = "x"; }\n'
        ');\n', encoding="utf-8")
    r = run("-c", tree.main, "-t", "--now", "2026-12-01T10:00")
    assert r.returncode == 1
    case_file = tree.cases_dir / "a.conf"
    text = case_file.read_text().splitlines()
    line = next(i for i, x in enumerate(text, 1) if 'reason = "x"; }' in x
                and "until" not in x)
    assert_error(r, case_file, line, "silence has no 'until' date")
    line = next(i for i, x in enumerate(text, 1) if "decisoin" in x)
    assert_error(r, case_file, line,
                 "silence names window 'decisoin', which is not configured")
    assert_error(r, sd / "a.conf", 2,
                 'silence names case "NO-SUCH", which no cases file has')
    assert_error(r, sd / "a.conf", 3,
                 'silence names court "Nowhere", which no case has')
    # Only the valid configuration left: the 90-day limit, from today.
    tree.write_case_file("a.conf", cases_file(
        case(OTHER, transferred="2026-12-01",
             silence=Raw('{ until = "2027-03-02"; reason = "x"; }'))))
    (sd / "a.conf").unlink()
    r = run("-c", tree.main, "-t", "--now", "2026-12-01T10:00")
    assert r.returncode == 1, r.stdout
    text = case_file.read_text().splitlines()
    line = next(i for i, x in enumerate(text, 1) if "2027-03-02" in x)
    assert_error(r, case_file, line,
                 "silence until 2027-03-02 is 91 days after today "
                 "(2026-12-01): a silence lasts at most 90 days")
    r = run("-c", tree.main, "-t", "--now", "2026-12-02T10:00")
    assert r.returncode == 0, r.stdout + r.stderr


def test_metrics_count_silenced_deliveries(tmp_path, hook, spawn, run):
    """/metrics counts the silenced deliveries under their own state,
    and a silenced window is `silenced` in the status API's list."""
    import socket
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tree = tree_with(tmp_path, hook,
                     case(CASE, transferred="2026-12-01", silence=SILENCE),
                     extra=f'http = {{ listen = "127.0.0.1:{port}"; }};')
    once(run, tree, "2026-12-05T09:00:01")      # opened; reminder silenced
    d = spawn(tree, now="2026-12-07T09:00:01")  # reminder silenced
    try:
        d.wait_line(r"reminder for case .* not sent: silenced until")
        d.wait_line(r"http: listening")
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
            text = r.read().decode()
        assert ('deadlined_deliveries{receiver="hook",state="silenced"} 2'
                in text), text
        with urllib.request.urlopen(base + "/api/windows?state=silenced",
                                    timeout=5) as r:
            rows = json.loads(r.read().decode())
        assert [x["case"] for x in rows] == [CASE], rows
        d.stop()
    finally:
        d.close()


def test_a_silence_holds_back_what_waits(tmp_path, hook, run):
    """A reminder queued before the silence, still waiting for a
    receiver that was down, is not sent once the silence is written:
    it is marked silenced; the announcement waiting with it goes out."""
    from daemon_helpers import Reply
    tree = tree_with(tmp_path, hook, case(CASE, transferred="2026-12-01"))
    hook.default = Reply(status=503)
    assert run("-c", tree.main, "--once", "--now",
               "2026-12-05T09:00:01").returncode == 1
    assert sorted(r[3] for r in rows(tree)) == ["pending", "pending"]
    tree.write_case_file("a.conf", cases_file(case(
        CASE, transferred="2026-12-01", silence=SILENCE)))
    hook.default = Reply(status=200)
    r = once(run, tree, "2026-12-05T10:00")
    assert ("1 waiting alert for case %s window decision not sent: "
            "silenced until 2026-12-10" % CASE) in r.stderr, r.stderr
    got = [a["kind"] for req, a in hook.alerts() if req.reply.status == 200]
    assert got == ["opened"], got
    assert sorted((r[1], r[3]) for r in rows(tree)) == [
        ("opened", "sent"), ("reminder", "silenced")]
