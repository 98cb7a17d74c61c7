"""Faults of the outbox and of receivers are contained: a stored row that
does not parse is set aside and the rest goes out; a receiver that keeps
failing is probed with one message at a time, not flooded, and drains its
backlog once it answers; another process holding the outbox's write lock
neither blocks the loop nor causes a resend; a full disk under state_dir
while a delivery is in flight causes no resend storm, and the outcome is
recorded once space returns."""
import collections
import os
import signal
import sqlite3
import subprocess
import threading
import time

import pytest

from daemon_helpers import (Reply, case, cases_file, make_tree, outbox_rows,
                            wait_until, webhook_receiver)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)


def many_cases(n, transferred="2025-07-03"):
    return {"a.conf": cases_file(*[
        case(case_id=f"C-{i:04d}", transferred=transferred)
        for i in range(n)])}


def count_by_id(hook, kind=None, ok_only=True):
    return collections.Counter(
        a["id"] for r, a in hook.alerts()
        if (not ok_only or r.reply.status == 200)
        and (kind is None or a["kind"] == kind))


def test_corrupt_stored_alert_is_set_aside(tmp_path, hook, run):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], many_cases(3), retry=(1, 2))
    hook.default = Reply(status=503)
    run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    con = sqlite3.connect(tree.outbox)
    with con:
        bad = con.execute("SELECT id FROM alerts WHERE case_id = 'C-0001'"
                          ).fetchone()[0]
        con.execute("UPDATE alerts SET payload = '{not json' WHERE id = ?",
                    (bad,))
    con.close()
    hook.default = Reply(status=200)
    r = run("-c", tree.main, "--once", "--now", "2025-07-04T10:01")
    assert r.returncode == 1            # one alert could not be sent
    assert "cannot be read" in r.stderr and "set aside" in r.stderr
    got = {a["case"]["id"] for rq, a in hook.alerts()
           if rq.reply.status == 200}
    assert got == {"C-0000", "C-0002"}
    rows = {r["alert_id"]: r for r in tree.deliveries()}
    assert rows[bad]["state"] == "failed"
    assert "cannot be read" in rows[bad]["last_error"]
    # And a daemon starts and runs with it in the outbox.
    r = run("-c", tree.main, "--once", "--now", "2025-07-04T10:02")
    assert "cannot be read" not in r.stderr


def test_failing_receiver_is_probed_not_flooded(tmp_path, hook, spawn):
    # 250 announcements make 3 messages of at most 100 alerts.  While the
    # receiver answers 503, after the first round only one message at a
    # time is tried; once it answers, everything goes, each alert once.
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())[:-1] +
                                " group_wait = 0; }"],
                     ["hook"], many_cases(250), retry=(1, 2))
    hook.default = Reply(status=503)
    d = spawn(tree, now="2025-07-04T10:00")
    hook.wait_requests(3, timeout=10)
    d.wait_line(r"receiver hook is failing")
    time.sleep(8)
    reqs = hook.snapshot()
    # Probes, one at a time, a second or two apart: no retry rounds of
    # three messages.
    later = reqs[3:]
    assert 1 <= len(later) <= 4, [round(r.arrived - reqs[0].arrived, 1)
                                  for r in reqs]
    assert all(len(r.alerts) <= 100 for r in later)
    hook.default = Reply(status=200)
    d.wait_line(r"receiver hook answers again", timeout=10)
    wait_until(lambda: len(count_by_id(hook)) == 250, timeout=15,
               message="all 250 alerts delivered")
    assert set(count_by_id(hook).values()) == {1}
    d.stop()


def test_receiver_failing_mid_burst_gets_only_what_was_in_flight(
        tmp_path, hook, spawn):
    # 4,000 announcements make 40 messages.  To a receiver that answers
    # quickly the daemon sets messages up ahead of the 4 in flight; when
    # the receiver starts failing, those set up ahead are held with the
    # rest, not sent: after the first failure, only what was already in
    # flight reaches it before the breaker's probe.  Once it answers,
    # every alert arrives once, in the message it was set up in.
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())[:-1] +
                                " group_wait = 0; }"],
                     ["hook"], many_cases(4000), retry=(10, 20))
    ok = 12
    count = [0]

    def responder(req):
        # The refusals come late, so that no answer of 200 still on its
        # way lands after one (any answer closes the breaker again).
        count[0] += 1
        return Reply(200) if count[0] <= ok else Reply(503, delay=0.2)
    hook.responder = responder
    d = spawn(tree, now="2025-07-04T10:00")
    hook.wait_requests(ok + 1, timeout=30)
    d.wait_line(r"receiver hook is failing")
    time.sleep(2)
    reqs = hook.snapshot()
    assert len(reqs) <= ok + 4, [(r.reply.status, len(r.alerts))
                                 for r in reqs]
    assert tree.messages_pending() > 4   # more set up than in flight
    hook.responder = None
    hook.default = Reply(status=200)
    d.wait_line(r"receiver hook answers again", timeout=30)
    wait_until(lambda: len(count_by_id(hook)) == 4000, timeout=30,
               message="all 4000 alerts delivered")
    assert set(count_by_id(hook).values()) == {1}
    keys = collections.defaultdict(set)
    for r, a in hook.alerts():
        keys[a["id"]].add(r.header("Idempotency-Key"))
    assert {len(k) for k in keys.values()} == {1}
    d.stop()


def hold_write_lock(path, seconds, started):
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    started.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def test_write_lock_held_elsewhere_blocks_nothing(tmp_path, hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred="2025-07-03"))})
    # First the announcement, then the lock, across the 09:00 reminder.
    d = spawn(tree, now="2025-07-07T08:59:50")
    hook.wait_alerts(1)
    d.wait_line(r"delivered opened")
    started = threading.Event()
    locker = threading.Thread(target=hold_write_lock,
                              args=(tree.outbox, 20, started))
    locker.start()
    started.wait(5)
    released_at = time.monotonic() + 20
    try:
        # The reminder falls due under the lock: it cannot be written,
        # so it is not sent.  The loop answers signals meanwhile.
        d.wait_line(r"planning failed", timeout=15)
        mark = d.mark()
        t0 = time.monotonic()
        d.signal(signal.SIGHUP)
        d.wait_line(r"reloading", since=mark, timeout=2)
        assert time.monotonic() - t0 < 1.0
        assert len(hook.alerts()) == 1
    finally:
        locker.join(30)
    pairs = hook.wait_alerts(2, timeout=5)
    reminder = [r for r, a in pairs if a["kind"] == "reminder"]
    assert len(reminder) == 1
    assert reminder[0].arrived - released_at < 2.5
    time.sleep(2)
    assert len(hook.alerts()) == 2          # no resend
    d.wait_line(r"planning works again")
    d.stop()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs at tmp_path/disk, unmounted at teardown."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700",
                        "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (the test needs root): "
                    f"{r.stderr}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(path):
    """Fill the file system of path; the filler's path."""
    filler = path / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (65536, 4096, 512):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError:
                pass
    return filler


def test_full_disk_during_delivery_causes_no_resend(tmp_path, small_disk,
                                                    hook, spawn):
    tree = make_tree(tmp_path, [webhook_receiver("hook", hook.url())],
                     ["hook"], {"a.conf": cases_file(
                         case(transferred="2025-07-03"))})
    text = tree.main.read_text().replace(
        'state_dir = "state";', f'state_dir = "{small_disk}/state";')
    tree.main.write_text(text)
    d = spawn(tree, now="2025-07-07T08:59:50")
    hook.wait_alerts(1)
    d.wait_line(r"delivered opened")
    # Falling idle, the daemon writes its WAL back into the database,
    # and the writes after it reuse the WAL file's space, which a full
    # disk does not take away.  A clean stop removes the WAL, so that
    # after the restart each write needs new space; and a reader (an
    # administrator's sqlite3) whose snapshot holds the reminder's frames
    # keeps the WAL from starting again while the disk is full.
    d.stop()
    d = spawn(tree, now="2025-07-07T08:59:55")
    d.wait_line(r"started: ")
    # The reminder at 09:00 is answered 3 seconds late; the disk fills
    # while it is in flight.
    hook.responder = lambda req: Reply(status=200, delay=3.0) if (
        req.alerts and req.alerts[0]["kind"] == "reminder") else Reply()
    hook.wait_requests(2, timeout=15)
    reader = sqlite3.connect(small_disk / "state" / "outbox.db")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM deliveries WHERE "
                          "message IS NOT NULL").fetchone()[0] == 2
    filler = fill(small_disk)
    d.wait_line(r"the outbox cannot be written", timeout=10)
    time.sleep(3)
    reminders = [a for _, a in hook.alerts() if a["kind"] == "reminder"]
    assert 1 <= len(reminders) <= 2, len(reminders)
    assert not d.grep(r"delivered reminder")
    os.unlink(filler)
    d.wait_line(r"delivered reminder", timeout=10)
    d.wait_line(r"the outbox can be written again")
    reader.rollback()
    reader.close()
    rows = [r for r in outbox_rows(small_disk / "state" / "outbox.db")
            if r["kind"] == "reminder"]
    assert [r["state"] for r in rows] == ["sent"]
    time.sleep(2)
    assert len([a for _, a in hook.alerts()
                if a["kind"] == "reminder"]) == len(reminders)
    assert d.running()
    d.stop()
