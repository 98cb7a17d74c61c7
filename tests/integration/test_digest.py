"""Digests, group_wait, rate limits, templates and --test-receiver.

Alerts due at the same moment for one receiver go out as one message;
announcements raised together (a first start, a reload) wait group_wait
and go out together; a receiver's rate is obeyed by holding messages in
the outbox, never by dropping them.
"""
import subprocess
import time

from daemon_helpers import (binary, case, cases_file, chat_receiver,
                            make_tree, wait_until, webhook_receiver, Reply)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)


def many_cases(n, transferred="2025-07-03"):
    return {"many.conf": cases_file(*(
        case(case_id=f"(2025)测{i:04d}号", transferred=transferred)
        for i in range(n)))}


def ids_of(pairs):
    return [a["id"] for _, a in pairs]


def test_200_reminders_due_at_once_make_a_few_requests(tmp_path, hook,
                                                        spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(200))
    # Deadline 2025-07-10: the 3-day reminder falls at 09:00 on 07-07.
    d = spawn(tree, now="2025-07-07T08:59:55")
    pairs = hook.wait_alerts(400, timeout=20)
    reminders = [(r, a) for r, a in pairs if a["kind"] == "reminder"]
    opened = [(r, a) for r, a in pairs if a["kind"] == "opened"]
    assert len(reminders) == 200 and len(opened) == 200
    assert len(set(ids_of(reminders))) == 200, "a reminder came twice"
    assert len(set(ids_of(opened))) == 200
    reminder_requests = {id(r) for r, _ in reminders}
    assert len(reminder_requests) <= 4, len(reminder_requests)
    # Each timed alert still left within 2 s of 09:00.
    for r, _ in reminders:
        assert r.json["sent_at"] < "2025-07-07T09:00:02+08:00", \
            r.json["sent_at"]
        assert r.json["sent_at"] >= "2025-07-07T09:00:00+08:00"
    time.sleep(1)
    assert len(hook.alerts()) == 400, "more requests than alerts"
    d.stop()


def test_first_start_announces_500_cases_in_a_few_messages(tmp_path, hook,
                                                           spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(500))
    start = time.monotonic()
    d = spawn(tree, now="2025-07-04T10:00")
    pairs = hook.wait_alerts(500, timeout=20)
    assert {a["kind"] for _, a in pairs} == {"opened"}
    assert len(set(ids_of(pairs))) == 500
    requests = hook.snapshot()
    assert len(requests) <= 6, len(requests)
    # Held for group_wait (2 s by default) to collect the burst.  The
    # daemon's clock reads whole seconds, so the hold is between one and
    # two seconds of real time after planning.
    assert min(r.arrived for r in requests) - start >= 1.0
    d.stop()


def test_group_wait_zero_sends_at_once(tmp_path, hook, spawn):
    receiver = webhook_receiver("hook", hook.url())[:-1] + "group_wait = 0; }"
    tree = make_tree(tmp_path, [receiver], ["hook"], many_cases(3))
    start = time.monotonic()
    d = spawn(tree, now="2025-07-04T10:00")
    hook.wait_alerts(3, timeout=10)
    assert hook.snapshot()[0].arrived - start < 1.5
    d.stop()


def test_rate_limit_holds_messages_in_the_outbox(tmp_path, hook, spawn):
    # 250 announcements make 3 messages of at most 100; at 1 a second
    # they must arrive a second apart, all of them, each alert once.
    receiver = webhook_receiver("hook", hook.url())[:-1] + \
        'rate = "1/sec"; group_wait = 0; }'
    tree = make_tree(tmp_path, [receiver], ["hook"], many_cases(250))
    d = spawn(tree, now="2025-07-04T10:00")
    pairs = hook.wait_alerts(250, timeout=20)
    assert len(set(ids_of(pairs))) == 250
    reqs = hook.snapshot()
    assert len(reqs) == 3, len(reqs)
    gaps = [b.arrived - a.arrived for a, b in zip(reqs, reqs[1:])]
    assert all(g >= 0.9 for g in gaps), gaps
    d.wait_lines(r"delivered opened for case", 250)
    # The log line comes just before its batch is committed.
    wait_until(lambda: {r["state"] for r in tree.deliveries()} == {"sent"},
               message="every delivery sent")
    d.stop()


def run_test_receiver(tree, name, timeout=30):
    return subprocess.run([binary(), "-c", str(tree.main),
                           "--test-receiver", name], capture_output=True,
                          text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_test_receiver_success(tmp_path, hook):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(1))
    r = run_test_receiver(tree, "hook")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("hook: ok: HTTP 200"), r.stdout
    (req,) = hook.snapshot()
    assert req.json["test"] is True and req.json["alerts"] == []
    assert not (tree.state_dir / "outbox.db").exists()


def test_test_receiver_failure(tmp_path, hook):
    hook.default = Reply(400, body=b'{"error":"bad"}')
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(1))
    r = run_test_receiver(tree, "hook")
    assert r.returncode == 1
    assert r.stdout.startswith("hook: failed: HTTP 400"), r.stdout


def test_test_receiver_down(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    tree = make_tree(tmp_path, [webhook_receiver(
        "hook", f"http://127.0.0.1:{port}/hook?token=tok-secret-77")],
        ["hook"], many_cases(1))
    r = run_test_receiver(tree, "hook")
    assert r.returncode == 1
    assert "failed" in r.stdout
    assert "tok-secret-77" not in r.stdout + r.stderr


def test_test_receiver_unknown_name(tmp_path, hook):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(1))
    r = run_test_receiver(tree, "nope")
    assert r.returncode == 1
    assert "no receiver named 'nope'" in r.stderr


def test_test_receiver_log(tmp_path):
    tree = make_tree(tmp_path, ['{ name = "log"; type = "log"; }'], ["log"],
                     many_cases(1))
    r = run_test_receiver(tree, "log")
    assert r.returncode == 0
    assert "TEST message for receiver log" in r.stderr


def test_unknown_placeholder_is_a_check_error(tmp_path):
    receiver = ('{ name = "hook"; type = "webhook";\n'
                '    url = "http://127.0.0.1:9/hook"; format = "slack";\n'
                '    body = "{case.id} due {window.dedline}"; }')
    tree = make_tree(tmp_path, [receiver], ["hook"], many_cases(1))
    r = subprocess.run([binary(), "-t", "-c", str(tree.main)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    lines = tree.main.read_text().splitlines()
    line = next(i for i, l in enumerate(lines, 1) if "body =" in l)
    assert f"{tree.main}:{line}: receiver 'hook': 'body': unknown " \
           f"placeholder {{window.dedline}}" in r.stderr, r.stderr


def test_known_placeholders_pass_check(tmp_path):
    receiver = ('{ name = "hook"; type = "webhook";\n'
                '    url = "http://127.0.0.1:9/hook"; format = "slack";\n'
                '    subject = "{kind}: {case.id} ({count})";\n'
                '    body = "{{{case.id}}} {case.title} {case.court} '
                '{window.name} {window.title} {window.opened} '
                '{window.deadline} {window.weekday} {window.days} '
                '{days_left} {days_overdue} {kind_text} {advice} '
                '{alert.id}"; }')
    tree = make_tree(tmp_path, [receiver], ["hook"], many_cases(1))
    r = subprocess.run([binary(), "-t", "-c", str(tree.main)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


def test_test_receiver_shows_the_robots_refusal(tmp_path, hook):
    hook.default = Reply(200, body=b'{"errcode":310000,'
                         b'"errmsg":"keywords not in content"}')
    tree = make_tree(tmp_path, [chat_receiver(
        "ding", hook.url("/robot/send", token="tok-ding-1"), "dingtalk")],
        ["ding"], many_cases(1))
    r = run_test_receiver(tree, "ding")
    assert r.returncode == 1
    assert r.stdout.startswith("ding: failed: HTTP 200"), r.stdout
    assert "errcode 310000: keywords not in content" in r.stdout
    assert "tok-ding-1" not in r.stdout + r.stderr
    (req,) = hook.snapshot()
    assert req.json["msgtype"] == "markdown"


def test_test_receiver_robot_accepts(tmp_path, hook):
    hook.default = Reply(200, body=b'{"errcode":0,"errmsg":"ok"}')
    tree = make_tree(tmp_path, [chat_receiver(
        "wecom", hook.url("/cgi-bin/webhook/send"), "wecom")],
        ["wecom"], many_cases(1))
    r = run_test_receiver(tree, "wecom")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("wecom: ok: HTTP 200")
    (req,) = hook.snapshot()
    assert "deadlined" in req.json["markdown"]["content"]


def test_wecom_markdown_cannot_mention(tmp_path):
    tree = make_tree(tmp_path, [chat_receiver(
        "wecom", "http://127.0.0.1:9/send?key=k", "wecom",
        at_mobiles=["13800000000"])], ["wecom"], many_cases(1))
    r = subprocess.run([binary(), "-t", "-c", str(tree.main)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "WeCom markdown cannot @ people" in r.stderr


def test_once_waits_for_the_rate_limit(tmp_path, hook):
    # --once sends everything due now: what the rate holds back too.
    receiver = webhook_receiver("hook", hook.url())[:-1] + 'rate = "1/sec"; }'
    tree = make_tree(tmp_path, [receiver], ["hook"], many_cases(250))
    r = subprocess.run([binary(), "-c", str(tree.main), "--once", "--now",
                        "2025-07-04T10:00"], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert len(hook.snapshot()) == 3
    assert len({a["id"] for _, a in hook.alerts()}) == 250
