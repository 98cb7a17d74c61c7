"""One daemon per state_dir: the daemon and --once hold an exclusive
flock on state_dir/deadlined.lock; a second one is refused with the
holder's pid, and the kernel frees the lock when the holder dies, even by
SIGKILL.  -t, --list and --preview read only and need no lock."""
import re
import signal
import subprocess

from daemon_helpers import (binary, case, cases_file, log_receiver,
                            make_tree)
from daemon_helpers import spawn  # noqa: F401  (fixture)

NOW = "2025-07-04T10:00"


def tree_of(tmp_path):
    return make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})


def start(spawn, tree, **kw):
    d = spawn(tree, now=NOW, **kw)
    d.wait_line(r"started: ")
    return d


def refused(spawn, tree, holder, args=()):
    """A second deadlined on tree exits 1 naming holder's pid."""
    d = spawn(tree, now=NOW, args=args)
    assert d.wait_exit() == 1, d.text
    want = (f"another deadlined (pid {holder.pid}) is running on state_dir "
            f"{tree.state_dir}; stop it first")
    assert want in d.text, d.text
    assert "started" not in d.text, d.text


def test_second_daemon_is_refused(tmp_path, spawn):
    tree = tree_of(tmp_path)
    first = start(spawn, tree)
    assert (tree.state_dir / "deadlined.lock").read_text() == \
        f"{first.pid}\n"
    refused(spawn, tree, first)
    assert first.running()
    first.stop()


def test_once_beside_a_running_daemon_is_refused(tmp_path, spawn):
    tree = tree_of(tmp_path)
    first = start(spawn, tree)
    refused(spawn, tree, first, args=["--once"])
    first.stop()


def test_read_only_modes_run_beside_the_daemon(tmp_path, spawn):
    tree = tree_of(tmp_path)
    first = start(spawn, tree)
    for args in (["-t"], ["--list"], ["--preview", "--now", NOW]):
        r = subprocess.run([binary(), "-c", str(tree.main), *args],
                           capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr

    first.stop()


def test_a_new_daemon_starts_after_sigterm(tmp_path, spawn):
    tree = tree_of(tmp_path)
    start(spawn, tree).stop()
    start(spawn, tree).stop()


def test_a_new_daemon_starts_after_sigkill(tmp_path, spawn):
    tree = tree_of(tmp_path)
    first = start(spawn, tree)
    first.signal(signal.SIGKILL)
    first.wait_exit()
    # The stale pid is still in the file; the lock is gone with the process.
    assert re.fullmatch(r"\d+\n",
                        (tree.state_dir / "deadlined.lock").read_text())
    second = start(spawn, tree)
    assert (tree.state_dir / "deadlined.lock").read_text() == \
        f"{second.pid}\n"
    second.stop()
