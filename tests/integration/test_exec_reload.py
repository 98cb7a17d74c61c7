"""`systemctl reload deadlined` checks the new configuration first: the
unit's ExecReload= lines run in order and the first that fails stops the
reload, so a broken configuration makes the reload fail, with its errors
in the journal, and the daemon is never signalled."""
import shlex
import signal
import subprocess
import time

from conftest import REPO
from daemon_helpers import binary, case, cases_file, log_receiver, make_tree
from daemon_helpers import spawn  # noqa: F401  (fixture)

NOW = "2025-07-05T10:00"
BROKEN = 'cases = (\n  { id = "B-1";\n    transfered = "2025-07-04"; }\n);\n'


def exec_reload(tree, pid):
    """The unit's ExecReload= command lines, for this binary, this tree
    and this main pid, split into argv lists."""
    unit = (REPO / "systemd/deadlined.service").read_text()
    lines = [line.split("=", 1)[1] for line in unit.splitlines()
             if line.startswith("ExecReload=")]
    out = []
    for line in lines:
        line = (line.replace("/usr/local/sbin/deadlined", binary())
                .replace("/etc/deadlined/deadlined.conf", str(tree.main))
                .replace("$MAINPID", str(pid)))
        out.append(shlex.split(line))
    return out


def reload(tree, pid):
    """Run the ExecReload= lines as systemd does: in order, stopping at
    the first that fails.  (status, output of each command run)."""
    outputs = []
    for argv in exec_reload(tree, pid):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        outputs.append(r.stdout + r.stderr)
        if r.returncode != 0:
            return r.returncode, outputs
    return 0, outputs


class _Installed:
    main = "/etc/deadlined/deadlined.conf"


def test_unit_checks_before_it_signals():
    lines = exec_reload(_Installed(), 1)
    assert len(lines) == 2, lines
    assert lines[0][1:3] == ["-t", "-c"], lines
    assert lines[1][0] == "/bin/kill" and "-HUP" in lines[1], lines


def test_reload_of_a_broken_tree_fails_and_sends_no_signal(tmp_path, spawn):
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now=NOW)
    d.wait_line(r"started: 1 case")

    bad = tree.write_case_file("b.conf", BROKEN)
    mark = d.mark()
    status, outputs = reload(tree, d.pid)
    assert status != 0
    assert len(outputs) == 1, "the kill ran after a failed check"
    assert f"{bad}:3: " in outputs[0], outputs
    time.sleep(0.5)
    assert not d.grep(r"reloading", since=mark), d.text
    assert d.running()

    bad.unlink()
    tree.write_case_file("b.conf", cases_file(
        case(case_id="B-1", transferred="2025-07-04")))
    status, outputs = reload(tree, d.pid)
    assert status == 0, outputs
    assert outputs[0].startswith("ok\n"), outputs
    d.wait_line(r"reloaded: 2 cases", since=mark)
    d.signal(signal.SIGTERM)
    assert d.wait_exit() == 0
