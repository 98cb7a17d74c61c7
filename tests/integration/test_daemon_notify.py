"""sd_notify: READY=1 once started, RELOADING=1 with MONOTONIC_USEC then
READY=1 on SIGHUP, STOPPING=1 on SIGTERM."""
import re
import signal
import socket
import time

import pytest

from daemon_helpers import case, cases_file, log_receiver, make_tree
from daemon_helpers import spawn  # noqa: F401  (fixture)


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    assert len(str(path)) < 100
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(path))
    s.settimeout(10)
    yield s, str(path)
    s.close()


def recv(sock, timeout=10):
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode()
    except socket.timeout:
        pytest.fail(f"no notification within {timeout}s")


def fields(msg):
    return dict(line.split("=", 1) for line in msg.split("\n") if line)


def test_notify_ready_reloading_stopping(tmp_path, notify_socket, spawn):
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00", env={"NOTIFY_SOCKET": path})
    assert fields(recv(sock)) == {"READY": "1"}

    before = time.clock_gettime(time.CLOCK_MONOTONIC)
    d.signal(signal.SIGHUP)
    reloading = fields(recv(sock))
    after = time.clock_gettime(time.CLOCK_MONOTONIC)
    assert reloading.get("RELOADING") == "1", reloading
    assert re.fullmatch(r"\d+", reloading.get("MONOTONIC_USEC", "")), \
        reloading
    usec = int(reloading["MONOTONIC_USEC"])
    assert before * 1e6 - 1e6 <= usec <= after * 1e6 + 1e6, (before, usec)
    assert set(reloading) == {"RELOADING", "MONOTONIC_USEC"}
    assert fields(recv(sock)) == {"READY": "1"}

    d.signal(signal.SIGTERM)
    assert fields(recv(sock)) == {"STOPPING": "1"}
    assert d.wait_exit() == 0, d.text
    d.assert_clean()


def test_notify_after_a_failed_reload_is_ready_again(tmp_path, notify_socket,
                                                     spawn):
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00", env={"NOTIFY_SOCKET": path})
    assert fields(recv(sock)) == {"READY": "1"}
    tree.write_case_file("b.conf", "cases = ( { id = ; } );\n")
    d.signal(signal.SIGHUP)
    assert fields(recv(sock)).get("RELOADING") == "1"
    assert fields(recv(sock)) == {"READY": "1"}
    d.wait_line(r"reload failed")
    d.stop()


def test_watchdog_pings_when_asked(tmp_path, notify_socket, spawn):
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00",
              env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
    assert fields(recv(sock)) == {"READY": "1"}
    start = time.monotonic()
    pings = [fields(recv(sock, timeout=2)) for _ in range(3)]
    assert pings == [{"WATCHDOG": "1"}] * 3
    # Every half interval (0.2 s): three within about 0.6 s.
    assert time.monotonic() - start < 1.5
    d.stop()


def test_no_watchdog_pings_for_another_pid(tmp_path, notify_socket, spawn):
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00",
              env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000",
                   "WATCHDOG_PID": "1"})
    assert fields(recv(sock)) == {"READY": "1"}
    sock.settimeout(1)
    with pytest.raises(socket.timeout):
        sock.recv(4096)
    d.stop()


def test_a_migration_extends_the_start_timeout(tmp_path, notify_socket,
                                               spawn):
    # An outbox of schema version 3 (tests/integration/data/
    # outbox-v3.sql) is migrated before READY, a step at a time: before
    # each, systemd is told to wait a minute longer, and why, so that a
    # large outbox's migration (minutes for millions of rows) does not
    # hit its start timeout.
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    tree.load_outbox("outbox-v3.sql").close()
    d = spawn(tree, now="2025-07-04T10:00", env={"NOTIFY_SOCKET": path})
    for version in (4, 5):
        notice = fields(recv(sock))
        assert notice == {
            "EXTEND_TIMEOUT_USEC": "60000000",
            "STATUS": f"migrating the outbox to schema version {version}"}, \
            notice
    assert fields(recv(sock)) == {"READY": "1"}
    d.wait_line(r"migrated to schema version 5")
    for version in (4, 5):
        assert d.grep(rf"migrating to schema version {version} \(minutes "
                      r"for an outbox")
        assert d.grep(rf"migrated to schema version {version}$")
    d.signal(signal.SIGTERM)
    assert fields(recv(sock)) == {"STOPPING": "1"}
    assert d.wait_exit() == 0, d.text


def test_no_extension_without_a_migration(tmp_path, notify_socket, spawn):
    sock, path = notify_socket
    tree = make_tree(tmp_path, [log_receiver()], ["log"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-04T10:00", env={"NOTIFY_SOCKET": path})
    assert fields(recv(sock)) == {"READY": "1"}
    d.signal(signal.SIGTERM)
    assert fields(recv(sock)) == {"STOPPING": "1"}
    assert d.wait_exit() == 0, d.text
