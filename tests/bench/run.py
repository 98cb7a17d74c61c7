#!/usr/bin/python3
"""run.py -- the benchmarks of issue 8, as one table.

    DEADLINED=build/deadlined /usr/bin/python3 tests/bench/run.py [quick|full]

(`make bench`, `make bench BENCH=quick`).  Every measure is a ratio of
deadlined to a floor measured in the same run on the same machine (or,
for CPU, system calls and lateness, a plain quantity), so a noisy
machine moves both sides.  Nothing here asserts: each row says whether
its goal was met.  A measure that cannot run, or runs out of time,
prints `error: why` in its row and the table goes on.  The table is
also written to build/bench/last.txt.  tests/bench/README.md says what
each row means.
"""
import json
import os
import pathlib
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import http.server

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import gen_cases  # noqa: E402
from nginx import Nginx  # noqa: E402

DEADLINED = os.environ.get("DEADLINED", str(REPO / "build" / "deadlined"))
BIN = REPO / "build" / "bench"
WORK = BIN / "work"
CLK_TCK = os.sysconf("SC_CLK_TCK")

BURST_DAY = "2026-06-10"      # every burst case is overdue that day
SEED_NOW = "2026-06-09T09:05"  # the day before: announcements, catch-up
LOAD_NOW = "2027-01-20T08:00"  # every realistic window past its alerts


class MeasureError(Exception):
    pass


# -- processes -------------------------------------------------------------

def run_timed(argv, timeout, env=None, cwd=None, quiet=False):
    """Run argv to its end; (wall seconds, peak RSS in bytes, stdout;
    quiet: its output is dropped).  Raises MeasureError on a failure or
    when it outlives timeout."""
    out = open(os.devnull if quiet else WORK / "last-run.out", "w+b")
    rss_file = WORK / "last-run.rss"
    # GNU time reports the peak RSS of the program alone; a child forked
    # from this Python would start with Python's pages counted in it.
    start = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o",
                          str(rss_file), *argv], stdin=subprocess.DEVNULL,
                         stdout=out, stderr=subprocess.STDOUT, env=env,
                         cwd=cwd)
    deadline = start + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise MeasureError(f"{os.path.basename(argv[0])} still ran "
                               f"after {timeout:.0f} s")
        time.sleep(0.005)
    wall = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    out.close()
    if p.returncode != 0:
        raise MeasureError(f"{os.path.basename(argv[0])} exited "
                           f"{p.returncode}: {text.strip()[-200:]}")
    try:
        rss = int(rss_file.read_text().split()[-1]) * 1024
    except (OSError, ValueError, IndexError):
        rss = ru.ru_maxrss * 1024
    return wall, rss, text


def proc_rss(pid):
    """VmRSS of pid in bytes."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise MeasureError("no VmRSS")


def wait_idle(pid, timeout):
    """Wait until the process has used no CPU for a second (READY comes
    before the start's plan, which runs on the loop): at most timeout."""
    until = time.monotonic() + timeout
    last = proc_cpu(pid)
    while time.monotonic() < until:
        time.sleep(1)
        now = proc_cpu(pid)
        if now - last < 0.01:
            return
        last = now


def proc_cpu(pid):
    """utime + stime of pid in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Daemon:
    """deadlined in the foreground, its sd_notify messages read from a
    unix datagram socket of our own (NOTIFY_SOCKET)."""

    def __init__(self, tree, now, args=(), log=False):
        self.sock_path = str(tree / "notify.sock")
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.msgs = []          # (time.monotonic(), text)
        self.cond = threading.Condition()
        env = dict(os.environ, NOTIFY_SOCKET=self.sock_path)
        for key in ("JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"):
            env.pop(key, None)
        self.log = open(tree / "daemon.log", "ab") if log else None
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.proc = subprocess.Popen(
            [DEADLINED, "-c", str(tree / "deadlined.conf"), "--now", now,
             *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.log or subprocess.DEVNULL, env=env)
        self.pid = self.proc.pid
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            with self.cond:
                self.msgs.append((time.monotonic(),
                                  data.decode("utf-8", "replace")))
                self.cond.notify_all()

    def wait_msg(self, word, timeout, since=0):
        """Wait for a notify message containing word (after message
        number since); (its arrival, its index)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.msgs):
                    t, text = self.msgs[i]
                    i += 1
                    if word in text.split("\n"):
                        return t, i
                if self.proc.poll() is not None:
                    raise MeasureError(f"deadlined exited "
                                       f"{self.proc.returncode} before "
                                       f"{word}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise MeasureError(f"no {word} after {timeout:.0f} s")
                self.cond.wait(min(left, 0.2))

    def mark(self):
        with self.cond:
            return len(self.msgs)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sock.close()
        if self.log:
            self.log.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stop()


# -- configuration trees ----------------------------------------------------

def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def webhook(url, fmt="json", extra=""):
    return (f'{{ name = "hook"; type = "webhook"; format = {q(fmt)}; '
            f'url = {q(url)}; {extra} }}')


def write_main(tree, receiver, retry=None):
    """tree/deadlined.conf with the shipped holidays, the decision and
    reasons windows, and the one receiver `hook` (text)."""
    hol = tree / "holidays"
    hol.mkdir(parents=True, exist_ok=True)
    for f in (REPO / "conf" / "holidays").glob("*.conf"):
        shutil.copy(f, hol / f.name)
    (tree / "cases.d").mkdir(exist_ok=True)
    lines = [
        'timezone  = "Asia/Shanghai";',
        'state_dir = "state";',
        'cases_dir = "cases.d";',
        'notify_at = "09:00";',
        'calendar = { weekend = [ "sat", "sun" ]; include = '
        '[ "holidays/cn-2025.conf", "holidays/cn-2026.conf" ]; '
        'roll = "next_working_day"; };',
        'windows = {',
        '  decision = { title = "Police decision on opening a case";',
        '    opens = "transferred"; closes = [ "filed", "not_filed" ];',
        '    days = 7; extended_days = 30; extended_by = "extended"; };',
        '  reasons = { title = "Written reasons for not opening a case";',
        '    opens = "not_filed"; closes = [ "reasons_received" ];',
        '    days = 7; };',
        '};',
        'reminders = { before = [ 3, 1 ]; on_due_day = true;',
        '  overdue_every = 1; overdue_max = 30; };',
        f'receivers = ( {receiver} );',
    ]
    if retry:
        lines.append("retry = { first = %d; max = %d; };" % retry)
    (tree / "deadlined.conf").write_text("\n".join(lines) + "\n",
                                         encoding="utf-8")


def fresh_state(tree):
    shutil.rmtree(tree / "state", ignore_errors=True)
    (tree / "state").mkdir()


_cases_made = {}


def cases_tree(name, n, burst=None):
    """A tree under WORK with n generated cases (made once per run)."""
    tree = WORK / name
    key = (name, n, burst)
    if _cases_made.get(name) != key:
        (tree / "cases.d").mkdir(parents=True, exist_ok=True)
        gen_cases.generate(tree / "cases.d", n, None, seed=8, burst=burst)
        _cases_made[name] = key
    return tree


def outbox_count(tree, where):
    con = sqlite3.connect(f"file:{tree / 'state' / 'outbox.db'}?mode=ro",
                          uri=True, timeout=10)
    try:
        return con.execute(f"SELECT count(*) FROM deliveries WHERE {where}"
                           ).fetchone()[0]
    finally:
        con.close()


_seeded = {}


def seeded_burst(n, timeout):
    """A burst tree of n cases whose outbox already holds the first
    start's announcements and the day before's catch-up (sent through a
    log receiver of the same name, which is quicker than HTTP and leaves
    the same rows); its state is copied to tree/seed."""
    tree = cases_tree(f"burst-{n}", n, BURST_DAY)
    if _seeded.get(n):
        return tree
    write_main(tree, '{ name = "hook"; type = "log"; }')
    fresh_state(tree)
    run_timed([DEADLINED, "-c", str(tree / "deadlined.conf"), "--once",
               "--now", SEED_NOW], timeout, quiet=True)
    sent = outbox_count(tree, "state = 'sent'")
    if sent < n:
        raise MeasureError(f"seeding sent {sent} alerts, fewer than {n}")
    shutil.rmtree(tree / "seed", ignore_errors=True)
    shutil.copytree(tree / "state", tree / "seed")
    _seeded[n] = True
    return tree


def restore_seed(tree):
    shutil.rmtree(tree / "state", ignore_errors=True)
    shutil.copytree(tree / "seed", tree / "state")


def start_before_due(tree, lead):
    """Start the daemon lead whole seconds before 09:00 on BURST_DAY, just
    after a second boundary: its clock is whole seconds, so the due
    instant is then floor(start) + lead in real time."""
    frac = time.time() % 1.0
    time.sleep((1.0 - frac) + 0.01)
    s = 60 - lead
    now = f"{BURST_DAY}T08:59:{s:02d}" if lead < 60 else None
    if now is None:
        raise MeasureError("lead too long")
    d = Daemon(tree, now, log=True)
    return d, int(d.started_wall) + lead


# -- the table ----------------------------------------------------------------

ROWS = []


def fmt_s(x):
    return f"{x:.3f} s" if x < 100 else f"{x:.0f} s"


def fmt_b(x):
    return f"{x / 1048576:.1f} MiB"


T0 = time.monotonic()


def row(measure, mine, floor, ratio, goal, met):
    ROWS.append((measure, mine, floor, ratio, goal, met))
    print(f"  [{time.monotonic() - T0:4.0f} s] {measure}: {mine} | {floor} "
          f"| {ratio} | {goal} | {met}", flush=True)


def ratio_row(measure, mine, floor, limit, fmt=fmt_s, lower=False):
    """A row comparing mine to floor; lower: mine is only a lower bound
    (it ran out of time), so the ratio is at least what is shown."""
    r = mine / floor if floor > 0 else float("inf")
    sign = ">" if lower else ""
    row(measure, sign + fmt(mine), fmt(floor), f"{sign}{r:.2f}x",
        f"<= {limit}x", "yes" if r <= limit and not lower else "no")


def error_rows(measures, why):
    for m in measures:
        row(m, f"error: {why}", "", "", "", "no")


def print_table(mode, started):
    head = ("measure", "deadlined", "floor", "ratio", "goal", "met")
    rows = [head] + ROWS
    w = [max(len(str(r[i])) for r in rows) for i in range(6)]
    lines = [" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip()
             for r in rows]
    lines.insert(1, "-+-".join("-" * x for x in w))
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    met = sum(1 for r in ROWS if r[5] == "yes")
    goals = sum(1 for r in ROWS if r[5] in ("yes", "no"))
    foot = (f"BENCH={mode}; {met} of {goals} goals met; "
            f"{os.cpu_count()} x {cpu}; {platform.release()}; "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}; "
            f"{time.monotonic() - started:.0f} s")
    text = "\n".join(lines) + "\n\n" + foot + "\n"
    print("\n" + text)
    (BIN / "last.txt").write_text(text, encoding="utf-8")


# -- measures -----------------------------------------------------------------

def burst_once(n, fmt, ng, timeout):
    """Seconds from the due instant to the last of n alerts marked sent,
    and whether it finished (else: seconds until timeout)."""
    tree = seeded_burst(n, timeout)
    write_main(tree, webhook(ng.url(), fmt))
    restore_seed(tree)
    base = outbox_count(tree, "state = 'sent'")
    lead = 4 if n <= 20000 else 8
    d, due = start_before_due(tree, lead)
    try:
        d.wait_msg("READY=1", lead + 30)
        deadline = due + timeout
        while True:
            sent = outbox_count(tree, "state = 'sent'") - base
            now = time.time()
            if sent >= n:
                return now - due, True, sent
            if now > deadline:
                return now - due, False, sent
            if d.proc.poll() is not None:
                raise MeasureError(f"deadlined exited {d.proc.returncode}")
            time.sleep(0.05 if now - due < 5 else 0.25)
    finally:
        d.kill()


# The outbox floor's messages: alerts a message, and the bytes of each
# alert's text in its body (0: all of it, as a JSON webhook sends).
OUTBOX_FLOOR_SHAPE = {"json": (100, 0), "slack": (20, 140)}
# Messages recorded and set up a round, as deadlined's burst does them
# (daemon/deliver.c: 28 set up ahead of 4 in flight, topped up at 4).
OUTBOX_FLOOR_ROUND = 24


def measure_outbox_floor(n, fmt, burst, timeout):
    """An informational row: the burst against SQLite alone writing the
    same rows in the same transactions (floor_outbox.c), on a copy of
    the same seed; what is above it is planning, messages and HTTP."""
    m = f"burst {fmt} {n // 1000}k vs outbox floor (same rows, no HTTP)"
    digest, per = OUTBOX_FLOOR_SHAPE[fmt]
    try:
        tree = seeded_burst(n, timeout)
        restore_seed(tree)
        _, _, out = run_timed([str(BIN / "floor_outbox"),
                               str(tree / "state" / "outbox.db"), str(n),
                               str(digest), str(OUTBOX_FLOOR_ROUND),
                               str(per)], timeout)
        # "...; T s": queued and delivered, not the close's checkpoint
        # (the daemon's comes when it falls idle, after the burst).
        ft = float(out.rsplit(";", 1)[1].split()[0])
    except (MeasureError, OSError, ValueError, IndexError) as e:
        error_rows([m], e)
        return
    print(f"  outbox floor {fmt} {n}: {out.strip()}", flush=True)
    if burst is None:
        error_rows([m], "no burst reading")
        return
    tb, done, _ = burst
    sign = "" if done else ">"
    row(m, sign + fmt_s(tb), fmt_s(ft), f"{sign}{tb / ft:.2f}x", "-", "-")


def measure_burst(sizes, floor_n, fmt, limit, timeouts, runs):
    """Each size runs times, each run of the largest followed by the
    poster's, the best of each kept (as the load rows interleave theirs:
    on this shared machine one 100k burst read 7.8 s and 10.3 s a minute
    apart, and the poster 2.7 s and 4.9 s two hours apart)."""
    label = "json" if fmt == "json" else fmt
    small, big = sizes[0], sizes[-1]
    m_poster = f"burst {label} {big // 1000}k vs poster ({floor_n // 1000}k bodies)"
    with Nginx(204, workers=1) as ng:
        times, posters = {}, []
        for n in sizes:
            for _ in range(runs):
                m = f"burst {label} {n // 1000}k: s per alert"
                try:
                    t, done, sent = burst_once(n, fmt, ng, timeouts[n])
                    old = times.get(n)
                    if old is None or (done, -t) > (old[1], -old[0]):
                        times[n] = (t, done, sent)
                    print(f"  burst {label} {n}: {t:.3f} s, {sent} sent"
                          f"{'' if done else ' (timed out)'}", flush=True)
                except (MeasureError, OSError, sqlite3.Error) as e:
                    print(f"  burst {label} {n}: error: {e}", flush=True)
                    error_rows([m], e)
                    break
                if n != big:
                    continue
                try:
                    ft, _, _ = run_timed([str(BIN / "floor_poster"),
                                          ng.url(), str(floor_n), "4"], 600)
                    posters.append(ft)
                    print(f"  poster {floor_n}: {ft:.3f} s", flush=True)
                except MeasureError as e:
                    error_rows([m_poster], e)
                    break
        if times.get(small) and times.get(big):
            ts, _, _ = times[small]
            tb, done, sent = times[big]
            per_s, per_b = ts / small, tb / max(sent, 1)
            r = per_b / per_s
            sign = "" if done else ">"
            row(f"burst {label}: per alert {big // 1000}k / {small // 1000}k",
                f"{sign}{per_b * 1e6:.0f} us", f"{per_s * 1e6:.0f} us",
                f"{sign}{r:.2f}x", "<= 1.2x",
                "yes" if done and r <= 1.2 else "no")
        measure_outbox_floor(big, fmt, times.get(big), timeouts[big])
        if times.get(big) and posters:
            tb, done, sent = times[big]
            ratio_row(m_poster, tb, min(posters), limit, lower=not done)
            if not done:
                ROWS[-1] = ROWS[-1][:1] + (
                    f">{fmt_s(tb)} ({sent} of {big} sent)",) + ROWS[-1][2:]


def measure_outage(n, window, timeout):
    m = f"outage {n // 1000}k pending, 503: CPU over {window} s"
    try:
        tree = seeded_burst(n, timeout)
        with Nginx(503) as ng:
            write_main(tree, webhook(ng.url()), retry=(1, 5))
            restore_seed(tree)
            d = Daemon(tree, f"{BURST_DAY}T09:00:05")
            try:
                d.wait_msg("READY=1", 120)
                # READY comes before the first plan, which then queues
                # the alerts due on the loop: wait for all of them.
                until = time.monotonic() + 120
                while True:
                    pending = outbox_count(tree, "state = 'pending'")
                    if pending >= n or time.monotonic() > until:
                        break
                    time.sleep(0.25)
                if pending < n:
                    raise MeasureError(f"only {pending} pending")
                time.sleep(2)
                c0, t0 = proc_cpu(d.pid), time.monotonic()
                time.sleep(window)
                c1, t1 = proc_cpu(d.pid), time.monotonic()
                still = outbox_count(tree, "state = 'pending'")
            finally:
                d.kill()
        frac = (c1 - c0) / (t1 - t0)
        row(m + f" ({still} still pending)", f"{frac * 100:.1f}% of a core",
            "-", "-", "<= 1%", "yes" if frac <= 0.01 else "no")
    except (MeasureError, OSError, sqlite3.Error) as e:
        error_rows([m], e)


def best_of(argv, runs, timeout):
    """The least wall time and the least peak RSS of runs runs."""
    res = [run_timed(argv, timeout) for _ in range(runs)]
    return min(r[0] for r in res), min(r[1] for r in res)


def measure_load(n, runs, daemon_checks, timeout):
    k = f"{n // 1000}k" if n < 1000000 else f"{n // 1000000}M"
    tree = cases_tree(f"load-{n}", n)
    with Nginx(204) as ng:
        # group_wait holds the announcements of a first start for five
        # minutes, so the daemon is idle while it is measured.
        write_main(tree, webhook(ng.url(), extra="group_wait = 300;"))
        main = str(tree / "deadlined.conf")
        res = {}
        try:
            for _ in range(runs):   # interleaved: noise hits all alike
                for name, argv in (
                        ("parse", [str(BIN / "floor_parse"), main]),
                        ("copy", [str(BIN / "floor_copy"), main]),
                        ("check", [DEADLINED, "-c", main, "-t"]),
                        ("list", [DEADLINED, "-c", main, "--list", "--json",
                                  "--now", LOAD_NOW])):
                    w, rss, _ = run_timed(argv, timeout)
                    old = res.get(name, (w, rss))
                    res[name] = (min(old[0], w), min(old[1], rss))
        except MeasureError as e:
            error_rows([f"load {k}: -t"], e)
            return
        tc, rc = res["check"]
        ratio_row(f"load {k}: -t time vs copy floor", tc, res["copy"][0], 1.25)
        ratio_row(f"load {k}: -t time vs parse floor", tc, res["parse"][0],
                  1.5)
        ratio_row(f"load {k}: -t peak RSS vs copy floor", rc, res["copy"][1],
                  1.25, fmt_b)
        if n == 100000:
            ratio_row(f"list --json {k}: time vs -t", res["list"][0], tc, 1.5)
            ratio_row(f"list --json {k}: peak RSS vs -t", res["list"][1], rc,
                      1.0, fmt_b)
        if daemon_checks:
            measure_start(tree, k, n, tc, ng.url(), timeout)


LOAD_SEED_NOW = "2027-01-20T08:10"  # later: the held announcements are due
LOAD_IDLE_NOW = "2027-01-20T08:20"  # later still: nothing left to send
_load_seeded = {}


def load_first_start(tree, url, timeout):
    """Start the daemon on an empty state directory, as it first starts
    in production (a webhook receiver), and kill it at READY; then send
    what that start queued through a log receiver of the same name
    (`--once`, quicker than HTTP, the same rows), so that the state holds
    no due delivery and a later start is idle.  Seconds to READY."""
    write_main(tree, webhook(url, extra="group_wait = 300;"))
    fresh_state(tree)
    d = Daemon(tree, LOAD_NOW)
    try:
        t, _ = d.wait_msg("READY=1", timeout)
    finally:
        d.kill()
    write_main(tree, '{ name = "hook"; type = "log"; }')
    run_timed([DEADLINED, "-c", str(tree / "deadlined.conf"), "--once",
               "--now", LOAD_SEED_NOW], timeout, quiet=True)
    left = outbox_count(tree, "state = 'pending'")
    if left:
        raise MeasureError(f"seeding left {left} deliveries pending")
    write_main(tree, webhook(url, extra="group_wait = 300;"))
    _load_seeded[str(tree)] = True
    return t - d.started


def measure_start(tree, k, n, t_check, url, timeout):
    """First start and restart to READY, and the steady RSS per case."""
    ms = [f"start {k}: first start to READY vs -t",
          f"start {k}: restart to READY vs -t",
          f"start {k}: steady RSS per case"]
    try:
        empty = WORK / "load-0"
        write_main(empty, webhook(url, extra="group_wait = 300;"))
        for f in (empty / "cases.d").glob("*.conf"):
            f.unlink()
        fresh_state(empty)
        d = Daemon(empty, LOAD_IDLE_NOW)
        try:
            d.wait_msg("READY=1", 30)
            time.sleep(1)
            rss0 = proc_rss(d.pid)
        finally:
            d.stop()
        first = load_first_start(tree, url, timeout)
        d = Daemon(tree, LOAD_IDLE_NOW, log=True)
        try:
            t, _ = d.wait_msg("READY=1", timeout)
            again = t - d.started
            time.sleep(1)
            wait_idle(d.pid, timeout)
            rss = proc_rss(d.pid)
        finally:
            d.stop(timeout=60)
    except (MeasureError, OSError, sqlite3.Error) as e:
        error_rows(ms, e)
        return
    ratio_row(ms[0], first, t_check, 3.0)
    ratio_row(ms[1], again, t_check, 1.5)
    per = (rss - rss0) / n
    row(ms[2], f"{per:.0f} B ({fmt_b(rss)})", f"{fmt_b(rss0)} at 0 cases",
        "-", "<= 200 B", "yes" if per <= 200 else "no")


def measure_reload(n, reloads, timeout):
    """SIGHUP to READY on an idle daemon, against the bare parse of the
    same files run just before each reload (interleaved, as the load
    rows are: against the load rows' floor, measured minutes before,
    the same code read 1.42x, 1.47x and 1.67x in three full runs); and
    the RSS after the last reload against the first."""
    k = f"{n // 1000}k"
    ms = [f"reload {k}: SIGHUP to READY vs parse floor",
          f"reload {k}: RSS after {reloads} reloads vs after 1"]
    tree = cases_tree(f"load-{n}", n)
    main = str(tree / "deadlined.conf")
    try:
        with Nginx(204) as ng:
            if not _load_seeded.get(str(tree)):
                load_first_start(tree, ng.url(), timeout)
            write_main(tree, webhook(ng.url(), extra="group_wait = 300;"))
            d = Daemon(tree, LOAD_IDLE_NOW, log=True)
            try:
                d.wait_msg("READY=1", timeout)
                times, floors, rss = [], [], []
                for _ in range(reloads):
                    floors.append(run_timed([str(BIN / "floor_parse"), main],
                                            timeout)[0])
                    # READY comes before the pass the reload begins.
                    wait_idle(d.pid, timeout)
                    mk = d.mark()
                    t0 = time.monotonic()
                    d.proc.send_signal(signal.SIGHUP)
                    _, i = d.wait_msg("RELOADING=1", timeout, mk)
                    t1, _ = d.wait_msg("READY=1", timeout, i)
                    times.append(t1 - t0)
                    rss.append(proc_rss(d.pid))
            finally:
                d.stop(timeout=60)
    except (MeasureError, OSError, sqlite3.Error) as e:
        error_rows(ms, e)
        return
    ratio_row(ms[0], min(times), min(floors), 1.5)
    ratio_row(ms[1], rss[-1], rss[0], 1.1, fmt_b)


def measure_idle(timeout):
    m = "idle: system calls in 10 s, nothing due"
    try:
        if not shutil.which("strace"):
            raise MeasureError("strace is not installed")
        tree = seeded_burst(1000, timeout)
        write_main(tree, webhook("http://127.0.0.1:9/hook"))
        restore_seed(tree)
        d = Daemon(tree, f"{BURST_DAY}T06:00")
        try:
            d.wait_msg("READY=1", 30)
            time.sleep(1)
            p = subprocess.run(["timeout", "-s", "INT", "10", "strace", "-c",
                                "-f", "-p", str(d.pid)],
                               capture_output=True, text=True, timeout=30)
        finally:
            d.stop()
        calls = 0
        for line in p.stderr.splitlines():
            parts = line.split()
            if parts and parts[-1] == "total":
                calls = int(parts[3]) if len(parts) >= 5 else int(parts[2])
        row(m, str(calls), "-", "-", "0", "yes" if calls == 0 else "no")
    except (MeasureError, OSError, subprocess.SubprocessError) as e:
        error_rows([m], e)


class _Arrivals(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        t = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            n = len(json.loads(body).get("alerts", []))
        except ValueError:
            n = 0
        with self.server.lock:
            self.server.arrivals.append((t, n))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _ArrivalServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The daemon is killed with its connections open: not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def measure_lateness(n, timeout):
    m = f"lateness {n // 1000}k due at once: p99"
    srv = _ArrivalServer(("127.0.0.1", 0), _Arrivals)
    srv.daemon_threads = True
    srv.arrivals, srv.lock = [], threading.Lock()
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        tree = seeded_burst(n, timeout)
        write_main(tree, webhook(
            f"http://127.0.0.1:{srv.server_address[1]}/hook"))
        restore_seed(tree)
        d, due = start_before_due(tree, 4)
        try:
            d.wait_msg("READY=1", 30)
            deadline = time.time() + timeout
            while sum(a[1] for a in srv.arrivals) < n:
                if time.time() > deadline:
                    raise MeasureError(
                        f"{sum(a[1] for a in srv.arrivals)} of {n} alerts "
                        f"after {timeout} s")
                time.sleep(0.05)
        finally:
            d.kill()
        late = sorted(t - due for t, k in srv.arrivals for _ in range(k))
        p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
        row(m, f"{p99 * 1000:.0f} ms", "-", "-", "<= 100 ms",
            "yes" if p99 <= 0.1 else "no")
    except (MeasureError, OSError, sqlite3.Error) as e:
        error_rows([m], e)
    finally:
        srv.shutdown()
        srv.server_close()


def main():
    mode = (sys.argv[1] if len(sys.argv) > 1 else
            os.environ.get("BENCH", "full")).lower()
    if mode not in ("quick", "full"):
        sys.exit("usage: run.py [quick|full]")
    quick = mode == "quick"
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    for tool in (DEADLINED, BIN / "floor_parse", BIN / "floor_copy",
                 BIN / "floor_poster", BIN / "floor_outbox"):
        if not os.access(tool, os.X_OK):
            sys.exit(f"run.py: {tool} is missing: run `make bench`")
    print(f"deadlined benchmarks, BENCH={mode} "
          f"(work files in {WORK})", flush=True)

    # Quick bounds each burst tighter: a slow one shows as a lower bound.
    sizes = [1000, 20000] if quick else [1000, 20000, 100000]
    timeouts = {1000: 30, 20000: 15 if quick else 300, 100000: 600}
    # Each burst three times (quick: once), the largest beside the poster.
    runs = 1 if quick else 3
    measure_burst(sizes, sizes[-1], "json", 1.0, timeouts, runs)
    measure_burst(sizes, sizes[-1], "slack", 2.0, timeouts, runs)
    measure_lateness(1000, 60)
    measure_idle(60)
    measure_outage(20000 if quick else 100000, 30 if quick else 300, 600)
    # Quick leaves the starts (a 1M goal) out and reloads 5 times.
    loads = [(100000, 2, False)] if quick else [(100000, 3, False),
                                                (1000000, 2, True)]
    for n, runs, daemon_checks in loads:
        measure_load(n, runs, daemon_checks, 300 if n < 1e6 else 900)
    measure_reload(100000, 3 if quick else 40, 120)
    print_table(mode, started)


if __name__ == "__main__":
    main()
