"""While nothing is due the daemon makes no system call at all; falling
idle, it first writes the WAL back into the database."""
import re
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from daemon_helpers import case, cases_file, make_tree, webhook_receiver
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

STRACE = shutil.which("strace") or "/usr/bin/strace"


def strace_counts(pid, seconds, during=None):
    """Attach strace -c -f to pid for seconds (calling during() half-way,
    if given); {syscall: calls} and the raw summary."""
    p = subprocess.Popen([STRACE, "-c", "-f", "-p", str(pid)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if during is not None:
        time.sleep(seconds / 2)
        during()
        time.sleep(seconds / 2)
    else:
        time.sleep(seconds)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        pytest.fail("strace did not detach")
    text = (out + err).decode("utf-8", "replace")
    if "attach: ptrace" in text or "Operation not permitted" in text:
        pytest.fail(f"strace cannot attach here:\n{text}")
    counts = {}
    # Rows: % time, seconds, usecs/call, calls, [errors,] syscall
    for line in text.splitlines():
        m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?"
                     r"(\S+)\s*$", line)
        if m:
            counts[m.group(2)] = int(m.group(1))
    return counts, text


def test_idle_daemon_makes_no_system_calls(tmp_path, hook, spawn):
    assert shutil.which("strace"), "strace is missing (make check installs it)"
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    # 2025-07-04 10:00: the opened alert goes at once, the next alert (the
    # 3-day reminder) on 07-07 at 09:00, days away.
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivered opened for case .* to hook: HTTP 200")
    time.sleep(0.5)
    counts, text = strace_counts(d.pid, 5)
    assert "attached" in text, text
    total = counts.pop("total", 0)
    assert counts == {} and total == 0, (
        f"system calls while idle:\n{text}")
    assert d.running()

    # The measurement does see the daemon's calls when it works: a reload.
    counts, text = strace_counts(d.pid, 1.5,
                                 lambda: d.signal(signal.SIGHUP))
    assert counts.get("total", 0) > 0, text
    d.wait_line(r"reloaded: ")
    d.stop()


def test_falling_idle_writes_the_wal_back(tmp_path, hook, spawn):
    # A checkpoint waits for the daemon to fall idle (not for SQLite's
    # 1,000 pages, which a few alerts never reach): once the delivery is
    # recorded, outbox.db alone, read without its WAL, holds it.
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivered opened for case .* to hook: HTTP 200")
    tree.wait_states(["sent"])
    copy = tmp_path / "without-wal.db"
    deadline = time.monotonic() + 5
    while True:
        # The database file as it is on disk, with no -wal beside it.
        shutil.copyfile(tree.outbox, copy)
        con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            states = [r[0] for r in
                      con.execute("SELECT state FROM deliveries")]
        except sqlite3.DatabaseError:
            states = []     # not even the schema is there yet
        finally:
            con.close()
        if states == ["sent"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert states == ["sent"], \
        f"outbox.db without its WAL holds {states}: no checkpoint at idle"
    assert d.running()
    d.stop()
