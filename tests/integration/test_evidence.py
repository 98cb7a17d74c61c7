"""The evidence a creditor's lawyer shows (issue 11): --history CASE
--html, a printable report rendered by headless Chromium to PDF and PNG;
the dashboard's case page and /api/history; and a slow client cut off by
the listener's timeout while an alert still leaves on time.

Chromium runs headless, without its sandbox (the tests may run as root),
with a fresh profile under the test's tmp dir.  The screenshots are kept
there (pytest keeps the last runs' tmp dirs) as the test's artefacts.
"""
import json
import re
import shutil
import socket
import subprocess
import time

from daemon_helpers import (REMINDERS_CALENDAR_DAYS, Reply, case,
                            cases_file, email_receiver, make_tree,
                            webhook_receiver)
from daemon_helpers import hook, smtp, spawn  # noqa: F401  (fixtures)
from test_http import get, start

CHROMIUM_TIMEOUT = 240       # a shared CPU: Chromium can start slowly
A4_PX = 794                  # 210 mm at 96 px per inch
A4_PT = (595.28, 841.89)
EVIL = "<script>alert(1)</script>"
HOLIDAYS = ('holidays = [ "2025-10-01", "2025-10-02", "2025-10-03", '
            '"2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", '
            '"2025-10-08" ];\nworkdays = [ "2025-09-28", "2025-10-11" ];\n')
CALENDAR = """calendar = {
  weekend  = [ "sat", "sun" ];
  include  = [ "holidays/cn-2025.conf" ];
  roll     = "next_working_day";
};"""
CASE_ID = "(2025)沪0115执1234号"

# Written into a copy of the report: every element whose box ends right
# of the page, or whose content is wider than its box (a cut column),
# goes into an attribute of <body> that --dump-dom shows.
MEASURE = """<script>
(function () {
  var width = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > width + 0.5 ||
        (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1))
      bad.push(e.tagName + ":" + e.textContent.slice(0, 40));
  });
  document.body.setAttribute("data-width", String(width));
  document.body.setAttribute("data-too-wide", JSON.stringify(bad));
})();
</script>"""


def chromium(tmp_path, *args):
    """Run headless Chromium; its stdout (text)."""
    exe = shutil.which("chromium")
    assert exe, "Debian's chromium is needed (make check-deps)"
    r = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu",
         "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", *args],
        capture_output=True, timeout=CHROMIUM_TIMEOUT)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-2000:]
    return r.stdout.decode("utf-8")


def squash(text):
    return re.sub(r"\s+", "", text)


def evidence_tree(tmp_path, hook, smtp):
    """A case whose decision window rolls over National Day, told to a
    webhook (refused once, then taken) and by e-mail."""
    tree = make_tree(
        tmp_path,
        [webhook_receiver("hook", hook.url()),
         email_receiver("mail", smtp.url, ["a@example.org",
                                           "b@example.org"])],
        ["hook", "mail"],
        {"a.conf": cases_file(case(title="Zhang v. Li " + EVIL,
                                   court="A&B Court",
                                   transferred="2025-09-26"))},
        retry=(1, 2), calendar=CALENDAR,
        # In calendar days: on working days the reminders of 10-06 and
        # 10-08 move to 09-30, the day this runs, and add a catch-up.
        reminders=REMINDERS_CALENDAR_DAYS)
    (tmp_path / "holidays").mkdir()
    (tmp_path / "holidays/cn-2025.conf").write_text(HOLIDAYS)
    return tree


def make_record(tmp_path, hook, smtp, run):
    """The tree, after alerts went out with a retry; the JSON history."""
    tree = evidence_tree(tmp_path, hook, smtp)
    hook.script = [Reply(status=503, body=b"busy <try> later & again")]
    # The first run leaves the refused delivery waiting (exit 1).
    run("-c", tree.main, "--once", "--now", "2025-09-30T10:00")
    r = run("-c", tree.main, "--once", "--now", "2025-09-30T10:01")
    assert r.returncode == 0, r.stderr
    smtp.wait_mails(1)
    r = run("-c", tree.main, "--history", CASE_ID, "--json")
    assert r.returncode == 0, r.stderr
    return tree, json.loads(r.stdout)


def test_history_html_report_prints_on_a4(tmp_path, hook, smtp, run):
    tree, doc = make_record(tmp_path, hook, smtp, run)
    deliveries = doc["deliveries"]
    keys = [d["attempt"]["idempotency_key"] for d in deliveries
            if "attempt" in d]
    results = [d["attempt"]["result"] for d in deliveries if "attempt" in d]
    assert "retry" in results and results.count("sent") == 2, results
    [mail] = [d["attempt"] for d in deliveries
              if d["receiver"] == "mail" and "attempt" in d]
    assert mail["message_id"] and mail["recipients"] == (
        "a@example.org, b@example.org")

    r = run("-c", tree.main, "--history", CASE_ID, "--html")
    assert r.returncode == 0, r.stderr
    html = r.stdout
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html
    # Self-contained, escaped.
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "A&amp;B Court" in html and "HTTP 503" in html
    assert not re.search(r"<script|<link|<img|src=|url\(|@import|https?:",
                         html), "an external resource or a script"
    assert "@page{size:A4" in html
    # The law, the counting and the holiday file.
    assert "刑事诉讼法》第一百零五条" in html
    assert str(tmp_path / "holidays/cn-2025.conf") in html
    assert "2025-10-03（星期五）" in html and "2025-10-09（星期四）" in html
    assert "法定节假日" in html
    # One table row per delivery and attempt, each key and Message-ID.
    assert html.count('<tr class="delivery"') == len(deliveries)
    for k in keys:
        assert k in html
    assert mail["message_id"].replace("<", "&lt;").replace(
        ">", "&gt;") in html
    assert "--now" in html

    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
             report.as_uri())
    chromium(tmp_path, f"--window-size={A4_PX},1800",
             f"--screenshot={png}", report.as_uri())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20000

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert abs(float(size[1]) - A4_PT[0]) < 1, info
    assert abs(float(size[2]) - A4_PT[1]) < 1, info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = squash(text)
    assert CASE_ID in flat                  # the CJK font is there
    assert "通知及送达记录" in flat
    for k in keys:
        assert k in flat, k
    # Every word of the PDF lies inside the page's printable width.
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"],
                          capture_output=True, text=True,
                          check=True).stdout
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right and max(right) <= A4_PT[0] - 30, max(right)

    # In the DOM at A4 width: no element wider than the page, no cell
    # whose content is cut, and every delivery row there.
    measured = tmp_path / "measure.html"
    measured.write_text(html.replace("</body>", MEASURE + "</body>"),
                        encoding="utf-8")
    dom = chromium(tmp_path, f"--window-size={A4_PX},1123", "--dump-dom",
                   measured.as_uri())
    width = re.search(r'data-width="(\d+)"', dom)
    assert width and int(width[1]) <= A4_PX, dom[:500]
    too_wide = re.search(r'data-too-wide="([^"]*)"', dom)[1]
    assert too_wide == "[]", too_wide
    assert len(re.findall(r'<tr class="delivery"', dom)) == len(deliveries)


def test_history_html_in_english_and_usage(tmp_path, hook, smtp, run):
    tree, _ = make_record(tmp_path, hook, smtp, run)
    r = run("-c", tree.main, "--history", CASE_ID, "--html", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert 'lang="en"' in r.stdout
    assert "Criminal Procedure Law of the PRC, Art. 105" in r.stdout
    assert "2025-10-03 (Fri), a public holiday" in r.stdout
    r = run("-c", tree.main, "--history", "no-such-case", "--html")
    assert r.returncode == 1 and "no-such-case" in r.stderr
    for bad in (["--history", "--html"],
                ["--history", CASE_ID, "--html", "--csv"],
                ["--history", CASE_ID, "--html", "--lang", "fr"],
                ["--history", CASE_ID, "--lang", "en"]):
        assert run("-c", tree.main, *bad).returncode == 2, bad


def dashboard_cases():
    return {"a.conf": cases_file(
        case(transferred="2025-07-03", title="Zhang " + EVIL),
        case(case_id="B-1", title="B", court="Beijing Court",
             transferred="2025-06-20", not_filed="2025-06-24"))}


def test_dashboard_and_case_page_in_chromium(tmp_path, spawn, run):
    tree, d, base = start(tmp_path, spawn, cases=dashboard_cases())
    tree.wait_states(["sent"] * 3)
    # Open windows: A's decision, B-1's reasons (B-1's decision closed).
    shot = tmp_path / "dashboard.png"
    chromium(tmp_path, "--window-size=1280,900", f"--screenshot={shot}",
             base + "/")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = chromium(tmp_path, "--dump-dom", base + "/")
    rows = re.findall(r'<tr class="window[^"]*" data-window="(\w+)">'
                      r'<td><a href="([^"]+)">([^<]+)</a>', dom)
    assert [(w, i) for w, _, i in rows] == [("reasons", "B-1"),
                                            ("decision", CASE_ID)], rows
    assert "<script" not in dom and "Zhang &lt;script&gt;" in dom
    # The receivers panel, as --status: nothing waits for log (waiting,
    # oldest, failed, cancelled, silenced, last sent).
    assert re.search(r'id="receivers".*<tr><td>log</td><td>0</td>'
                     r'<td>-</td><td>0</td><td>0</td><td>0</td><td>\d{4}-',
                     dom, re.S)
    # A filter by court.
    status, _, body = get(base + "/?court=Beijing+Court")
    assert status == 200 and "B-1" in body and CASE_ID not in body

    # The case page, reached by the dashboard's link.
    href = dict((i, h) for _, h, i in rows)[CASE_ID].replace("&amp;", "&")
    status, headers, body = get(base + href)
    assert status == 200, body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    page = chromium(tmp_path, "--dump-dom", base + href)
    assert "<script" not in page and "Zhang &lt;script&gt;" in page
    assert CASE_ID in page and 'class="delivery"' in page
    assert get(base + "/case?id=nope")[0] == 404
    assert get(base + "/case")[0] == 400

    # /api/history: what --history CASE --json prints.
    status, headers, body = get(base + "/api/history?case=B-1")
    assert status == 200 and headers["Content-Type"] == "application/json"
    doc = json.loads(body)
    r = run("-c", tree.main, "--history", "B-1", "--json")
    assert doc == json.loads(r.stdout)
    assert doc["case"]["id"] == "B-1" and doc["deliveries"]
    status, headers, body = get(base + "/api/history?case=nope")
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": "no such case"}
    assert get(base + "/api/history")[0] == 400
    d.stop()


def test_slow_request_is_cut_off_and_the_alert_leaves(tmp_path, spawn,
                                                      hook):
    # The reminder of CASE_ID (3 days before 07-10) is due at 09:00 on
    # 07-07, 3 s after the daemon's clock starts.
    tree, d, base = start(
        tmp_path, spawn, cases={"a.conf": cases_file(
            case(transferred="2025-07-03"))},
        now="2025-07-07T08:59:57",
        receivers=[webhook_receiver("hook", hook.url())], notify=["hook"])
    port = int(base.rsplit(":", 1)[1])
    hook.wait_alerts(1)                   # the catch-up "opened"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow:")
        t0 = time.monotonic()
        alerts = hook.wait_alerts(2, timeout=8)
        assert time.monotonic() - t0 < 6
        assert alerts[1][1]["kind"] == "reminder"
        try:
            answer = s.recv(4096)
        except ConnectionResetError:
            answer = b""
        waited = time.monotonic() - t0
    print(f"slow request cut off after {waited:.1f} s: {answer[:40]!r}")
    # web.c gives a whole request 10 s.
    assert 8 <= waited <= 25, waited
    assert answer == b"" or answer.split()[1] in (b"400", b"408"), answer
    assert get(base + "/healthz")[0] == 200
    d.stop()
