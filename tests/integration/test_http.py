"""The status listener (issue 11): the http group of the main file.

Off unless the main file has `http = { listen = "ADDRESS:PORT"; }`; an
address other than loopback needs a token_file, and every mistake is a
"FILE:LINE: message" of -t.
"""
import pytest

from conftest import (assert_error, assert_failed, case, cases_conf,
                      line_of, main_conf, write_tree)

GOOD_CASES = {"a.conf": cases_conf(case(id="A-1", transferred="2025-07-03"))}
TOKEN = "s3cr3t-http-token-0123456789"


def http_tree(tmp_path, group, token=TOKEN + "\n"):
    files = {"secrets/http-token": token} if token is not None else {}
    main = main_conf(extra=f"http = {{\n{group}\n}};")
    return write_tree(tmp_path, main=main, cases=GOOD_CASES, files=files)


@pytest.mark.parametrize("listen", ["127.0.0.1:9107", "127.1.2.3:80",
                                    "[::1]:9107"])
def test_loopback_listen_without_token_is_ok(tmp_path, check, listen):
    r = check(http_tree(tmp_path, f'  listen = "{listen}";'))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "ok"


def test_public_listen_with_token_is_ok(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "0.0.0.0:9107";\n'
                               '  token_file = "secrets/http-token";')
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert TOKEN not in r.stdout + r.stderr


@pytest.mark.parametrize("listen", ["0.0.0.0:9107", "192.0.2.1:80",
                                    "[::]:9107"])
def test_public_listen_without_token_is_an_error(tmp_path, check, listen):
    tree = http_tree(tmp_path, f'  listen = "{listen}";')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "listen ="),
                 "http.listen is not a loopback address: set "
                 "http.token_file")


@pytest.mark.parametrize("listen", ["127.0.0.1", "127.0.0.1:0",
                                    "127.0.0.1:65536", "localhost:9107",
                                    "127.0.0.1:90x", "::1:9107", ":9107",
                                    "[::1:9107"])
def test_bad_listen_is_an_error(tmp_path, check, listen):
    tree = http_tree(tmp_path, f'  listen = "{listen}";')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "listen ="), "http.listen")


def test_missing_token_file_is_an_error(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "127.0.0.1:9107";\n'
                               '  token_file = "secrets/http-token";',
                     token=None)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "token_file ="), "token_file")


def test_unknown_http_key_is_an_error(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "127.0.0.1:9107";\n'
                               '  port = 9107;')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "port ="), "port")


# -- the running listener ----------------------------------------------------

import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
import json  # noqa: E402

from icalendar import Calendar  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa

from daemon_helpers import (CASE_ID, case as dcase, cases_file,  # noqa: E402
                            hook, log_receiver, make_tree, spawn,  # noqa: F401
                            wait_until, webhook_receiver)

NOW = "2025-07-05T10:00"     # decision of CASE_ID due 2025-07-10: open
COURT_B = "Beijing Haidian District People's Court"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_group(port, token_file=None, host="127.0.0.1"):
    text = f'http = {{ listen = "{host}:{port}";'
    if token_file:
        text += f' token_file = "{token_file}";'
    return text + " };"


def two_cases():
    return {"a.conf": cases_file(
        dcase(transferred="2025-07-03"),
        dcase(case_id="B-1", title="B", court=COURT_B,
              transferred="2025-06-20"))}


def start(tmp_path, spawn, cases=None, token=False, now=NOW,
          receivers=None, notify=("log",), notify_at="09:00"):
    port = free_port()
    secrets = {"secrets/http-token": TOKEN + "\n"} if token else None
    tree = make_tree(tmp_path, receivers or [log_receiver()], list(notify),
                     cases or two_cases(), secrets=secrets,
                     notify_at=notify_at,
                     extra=http_group(port, "secrets/http-token"
                                      if token else None))
    d = spawn(tree, now=now)
    d.wait_line(r"http: listening on 127\.0\.0\.1 port %d" % port)
    return tree, d, f"http://127.0.0.1:{port}"


def get(url, headers=None, method="GET"):
    """(status, headers, body text) of a request; errors included."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


def test_healthz_and_unknown_paths(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn)
    assert get(base + "/healthz")[::2] == (200, "ok\n")
    assert get(base + "/nothing")[0] == 404
    status, headers, _ = get(base + "/healthz", method="POST")
    assert status == 405 and headers["Allow"] == "GET"
    assert get(base + "/healthz", method="DELETE")[0] == 405
    d.stop()


def metrics(base):
    status, headers, body = get(base + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in text_string_to_metric_families(body)}


def sample(families, name, **labels):
    hits = [s.value for f in families.values() for s in f.samples
            if s.name == name and all(s.labels.get(k) == v
                                      for k, v in labels.items())]
    assert len(hits) == 1, (name, labels, hits)
    return hits[0]


def test_metrics(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn)
    tree.wait_states(["sent"] * 3)
    fam = metrics(base)
    for name in ("deadlined_windows", "deadlined_deliveries",
                 "deadlined_outbox_oldest_waiting_seconds",
                 "deadlined_last_reload_timestamp_seconds",
                 "deadlined_last_reload_success", "deadlined_config_errors",
                 "deadlined_calendar_last_year", "deadlined_build_info"):
        assert name in fam, sorted(fam)
        assert fam[name].type == "gauge"
    # CASE_ID's decision is due 07-10 (5 days: open); B-1's was due
    # 06-27 (overdue).
    assert sample(fam, "deadlined_windows", state="open") == 1
    assert sample(fam, "deadlined_windows", state="overdue") == 1
    assert sample(fam, "deadlined_windows", state="closed") == 0
    assert sample(fam, "deadlined_deliveries", receiver="log",
                  state="sent") == 3
    assert sample(fam, "deadlined_outbox_oldest_waiting_seconds") == 0
    assert sample(fam, "deadlined_last_reload_success") == 1
    assert sample(fam, "deadlined_config_errors") == 0
    assert sample(fam, "deadlined_calendar_last_year") == 0
    assert abs(sample(fam, "deadlined_last_reload_timestamp_seconds")
               - time.time()) < 60
    assert fam["deadlined_build_info"].samples[0].labels["version"]
    assert CASE_ID not in get(base + "/metrics")[2]

    # A broken reload: success 0, the errors counted, /healthz 503.
    tree.write_case_file("b.conf", "cases = ( { id = \"X\"; bogus = 1; } );")
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reload failed", since=mark)
    fam = metrics(base)
    assert sample(fam, "deadlined_last_reload_success") == 0
    assert sample(fam, "deadlined_config_errors") >= 1
    status, _, body = get(base + "/healthz")
    assert status == 503 and "reload failed" in body
    (tree.cases_dir / "b.conf").unlink()
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 2 cases", since=mark)
    fam = metrics(base)
    assert sample(fam, "deadlined_last_reload_success") == 1
    assert sample(fam, "deadlined_config_errors") == 0
    assert get(base + "/healthz")[0] == 200
    d.stop()


def windows(base, query=""):
    status, headers, body = get(base + "/api/windows" + query)
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    return json.loads(body)


def test_api_windows_and_filters(tmp_path, spawn, run):
    tree, d, base = start(tmp_path, spawn)
    rows = windows(base)
    listed = json.loads(run("--list", "--json", "-c", tree.main,
                            "--now", NOW).stdout)
    strip = [{k: v for k, v in r.items() if k != "next_alert"}
             for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "next_alert"}
                     for r in listed]
    assert [r["case"] for r in rows] == [CASE_ID, "B-1"]
    assert [r["case"] for r in windows(base, "?state=overdue")] == ["B-1"]
    q = urllib.parse.quote(COURT_B)
    assert [r["case"] for r in windows(base, f"?court={q}")] == ["B-1"]
    q = urllib.parse.quote(CASE_ID)
    assert [r["case"] for r in windows(base, f"?case={q}")] == [CASE_ID]
    assert [r["case"] for r in
            windows(base, "?due_before=2025-07-01")] == ["B-1"]
    assert windows(base, "?due_before=2025-06-01") == []
    assert get(base + "/api/windows?due_before=tomorrow")[0] == 400
    d.stop()


def calendar(base, query=""):
    status, headers, body = get(base + "/calendar.ics" + query)
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/calendar")
    raw = body.encode("utf-8")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), raw
    cal = Calendar.from_ical(body)
    return cal, {str(e["SUMMARY"]).split(" · ")[0]: e
                 for e in cal.walk("VEVENT")}


def test_calendar(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn)
    cal, events = calendar(base)
    assert str(cal["VERSION"]) == "2.0"
    assert "PRODID" in cal and "X-WR-CALNAME" in cal
    assert sorted(events) == sorted([CASE_ID, "B-1"])
    ev = events[CASE_ID]
    assert ev["DTSTART"].dt.isoformat() == "2025-07-10"
    assert ev["DTEND"].dt.isoformat() == "2025-07-11"
    assert str(ev["SUMMARY"]).endswith("5 days left")
    assert "overdue" in str(events["B-1"]["SUMMARY"])
    assert COURT_B in str(events["B-1"]["DESCRIPTION"])
    assert "DTSTAMP" in ev and "LAST-MODIFIED" in ev
    uids = {k: str(e["UID"]) for k, e in events.items()}
    seq = int(ev["SEQUENCE"])
    q = urllib.parse.quote(COURT_B)
    assert list(calendar(base, f"?court={q}")[1]) == ["B-1"]
    assert list(calendar(base, "?state=open")[1]) == [CASE_ID]
    assert list(calendar(base, "?receiver=log")[1]) != []
    assert list(calendar(base, "?receiver=nobody")[1]) == []

    # The deadline moves: same UID, a higher SEQUENCE.
    tree.write_case_file("a.conf", cases_file(
        dcase(transferred="2025-07-03", extended="2025-07-05"),
        dcase(case_id="B-1", title="B", court=COURT_B,
              transferred="2025-06-20")))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded: 2 cases", since=mark)
    wait_until(lambda: len(tree.deliveries()) >= 4 and all(
        r["state"] == "sent" for r in tree.deliveries()))
    _, events = calendar(base)
    assert str(events[CASE_ID]["UID"]) == uids[CASE_ID]
    assert int(events[CASE_ID]["SEQUENCE"]) > seq
    assert events[CASE_ID]["DTSTART"].dt.isoformat() == "2025-08-04"
    d.stop()

    # A restart keeps the UIDs.
    d = spawn(tree, now=NOW)
    d.wait_line(r"http: listening")
    _, events = calendar(base)
    assert {k: str(e["UID"]) for k, e in events.items()} == uids
    d.stop()


def test_token(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn, token=True)
    status, headers, _ = get(base + "/healthz")
    assert status == 401 and "Bearer" in headers["WWW-Authenticate"]
    assert get(base + "/healthz",
               {"Authorization": "Bearer wrong"})[0] == 401
    assert get(base + "/healthz?token=wrong")[0] == 401
    assert get(base + "/healthz",
               {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert get(base + f"/calendar.ics?token={TOKEN}")[0] == 200
    # The token may change on reload.
    (tree.root / "secrets/http-token").write_text("new-token\n")
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"reloaded", since=mark)
    assert get(base + f"/healthz?token={TOKEN}")[0] == 401
    assert get(base + "/healthz?token=new-token")[0] == 200
    assert TOKEN not in d.text and "new-token" not in d.text
    d.stop()


def test_oversized_header_is_refused(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn)
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                  b"a" * 20000 + b"\r\n\r\n")
        try:
            answer = s.recv(4096)
        except ConnectionResetError:
            answer = b""
    assert answer == b"" or answer.split()[1].startswith(b"4"), answer
    assert get(base + "/healthz")[0] == 200
    d.stop()


def test_slow_client_does_not_delay_an_alert(tmp_path, spawn, hook):
    # The reminder of CASE_ID (3 days before 07-10) goes out on 07-07 at
    # 09:00, 2 s after the daemon's clock starts.
    tree, d, base = start(
        tmp_path, spawn, cases={"a.conf": cases_file(
            dcase(transferred="2025-07-03"))},
        now="2025-07-07T08:59:58",
        receivers=[webhook_receiver("hook", hook.url())], notify=["hook"])
    port = int(base.rsplit(":", 1)[1])
    hook.wait_alerts(1)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /heal")
        t0 = time.monotonic()
        alerts = hook.wait_alerts(2, timeout=6)
        assert time.monotonic() - t0 < 4
        assert alerts[1][1]["kind"] == "reminder"
        assert get(base + "/healthz")[0] == 200
    d.stop()


def test_dashboard(tmp_path, spawn):
    evil = "<b>X&1</b>"
    tree, d, base = start(tmp_path, spawn, cases={"a.conf": cases_file(
        dcase(transferred="2025-07-03"),
        dcase(case_id="B-1", title="B", court=evil,
              transferred="2025-06-20"))})
    tree.wait_states(["sent"] * 3)
    status, headers, body = get(base + "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'lang="zh-CN"' in body
    assert evil not in body and "&lt;b&gt;X&amp;1&lt;/b&gt;" in body
    # Sorted by days left: B-1 (overdue) first, marked.
    assert body.index("B-1") < body.index(CASE_ID)
    assert 'class="window overdue"' in body and "已逾期" in body
    assert "<td>log</td>" in body
    assert "http://" not in body and "https://" not in body
    d.stop()


def test_listen_change_waits_for_a_restart(tmp_path, spawn):
    tree, d, base = start(tmp_path, spawn)
    text = tree.main.read_text()
    old = base.rsplit(":", 1)[1]
    tree.main.write_text(text.replace(f":{old}\"", f":{free_port()}\""))
    mark = d.mark()
    d.signal(signal.SIGHUP)
    d.wait_line(r"http\.listen changed: it takes effect at the next start",
                since=mark)
    d.wait_line(r"reloaded", since=mark)
    assert get(base + "/healthz")[0] == 200
    d.stop()
