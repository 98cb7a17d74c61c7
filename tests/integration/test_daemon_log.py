"""Logging: plain lines on a terminal or a pipe, syslog priorities when
journald reads stderr (JOURNAL_STREAM names it), one line per delivery
outcome."""
import os
import subprocess

from conftest import Raw
from daemon_helpers import (CASE_ID, binary, case, cases_file, log_receiver,
                            make_tree)


def run_once(tree, stderr, env=None):
    full = dict(os.environ)
    full.pop("JOURNAL_STREAM", None)
    full.update(env or {})
    return subprocess.run([binary(), "-c", str(tree.main), "--once",
                           "--now", "2025-07-07T10:00"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=stderr, env=full, timeout=60)


def tree_of(tmp_path):
    return make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})


def test_priorities_under_journald(tmp_path):
    tree = tree_of(tmp_path)
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        st = os.fstat(f.fileno())
        r = run_once(tree, f, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
    assert r.returncode == 0
    lines = path.read_text().splitlines()
    assert lines, "no log lines"
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), \
        lines
    assert any(line.startswith("<6>ALERT opened: case " + CASE_ID)
               for line in lines), lines


def test_plain_lines_when_journal_stream_is_another_file(tmp_path):
    tree = tree_of(tmp_path)
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        r = run_once(tree, f, {"JOURNAL_STREAM": "1:2"})
    assert r.returncode == 0
    lines = path.read_text().splitlines()
    assert lines and all(line.startswith("deadlined: ") for line in lines)


def test_once_logs_each_alert(tmp_path):
    tree = tree_of(tmp_path)
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        assert run_once(tree, f).returncode == 0
    text = path.read_text()
    # First start: the window is announced, and the 3-day reminder of
    # 07-07 09:00 (due an hour ago) goes out once.
    assert text.count("ALERT opened: case " + CASE_ID) == 1, text
    assert text.count("ALERT reminder: case " + CASE_ID) == 1, text
    # The line is English, and so is the built-in window's title in it.
    assert ": Police decision on opening a case, deadline 2025-07-10, " \
        "3 days left [log, alert " in text, text
    assert "公安机关决定是否立案" not in text, text
    with open(path, "wb") as f:
        assert run_once(tree, f).returncode == 0
    assert "ALERT" not in path.read_text()


# A case id with CR, LF and an escape sequence, written with libconfig's
# string escapes: as is, it would end the log line and start a forged
# one at priority 0 (emergency).
FORGED_ID = Raw('"A-1\\n<0>forged\\r\\x1b[31m"')


def test_control_characters_cannot_forge_journal_lines(tmp_path):
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(case_id=FORGED_ID,
                                                transferred="2025-07-03"))})
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        st = os.fstat(f.fileno())
        r = run_once(tree, f, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
    assert r.returncode == 0
    raw = path.read_bytes()
    assert b"\r" not in raw and b"\x1b" not in raw, raw
    lines = raw.decode("utf-8").split("\n")
    assert lines.pop() == "", lines  # every line ends with its newline
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), \
        lines
    assert any(line.startswith("<6>ALERT opened: case "
                               "A-1\\n<0>forged\\r\\x1b[31m ")
               for line in lines), lines


def test_control_characters_escaped_in_plain_lines(tmp_path):
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(case_id=FORGED_ID,
                                                transferred="2025-07-03"))})
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        assert run_once(tree, f).returncode == 0
    lines = path.read_text().splitlines()
    assert lines and all(line.startswith("deadlined: ") for line in lines), \
        lines


def test_many_log_alerts_each_once_batch_by_batch(tmp_path):
    # 2,100 cases, 4,200 alerts on a first start: the log receiver takes
    # 4,000 rows a round and asks for the next round at once, so the
    # rounds' jobs are freed as they commit.  Every alert is logged once
    # and recorded sent, and the next run has nothing left.
    n = 2100
    tree = make_tree(tmp_path, [log_receiver()], ["log"], {
        "a.conf": cases_file(*[case(case_id=f"C-{i:04d}",
                                    transferred="2025-07-03")
                               for i in range(n)])})
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        assert run_once(tree, f).returncode == 0
    lines = [line for line in path.read_text().splitlines()
             if line.startswith("deadlined: ALERT ")]
    ids = [line.split("case ")[1].split(" ")[0] for line in lines]
    assert len(ids) == 2 * n
    assert sorted(set(ids)) == [f"C-{i:04d}" for i in range(n)]
    assert all(ids.count(i) == 2 for i in set(ids))
    rows = tree.deliveries()
    assert len(rows) == 2 * n and {r["state"] for r in rows} == {"sent"}
    with open(path, "wb") as f:
        assert run_once(tree, f).returncode == 0
    assert "ALERT" not in path.read_text()
