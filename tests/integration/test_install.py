"""make install and the systemd unit.

`make install` honours PREFIX and DESTDIR and puts in place the binary,
the man pages, the configuration and the unit with the right paths; the
unit's hardening keeps `systemd-analyze security` at 2.0 or less.
"""
import re
import subprocess

from conftest import REPO

TIMEOUT = 120


def test_make_install_honours_prefix_and_destdir(tmp_path):
    dest = tmp_path / "root"
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}",
                        "PREFIX=/usr"], cwd=REPO, capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    for rel in ("usr/sbin/deadlined", "usr/share/man/man8/deadlined.8",
                "usr/share/man/man5/deadlined.conf.5",
                "etc/deadlined/deadlined.conf",
                "etc/deadlined/holidays/cn-2025.conf",
                "etc/deadlined/holidays/cn-2026.conf",
                "usr/lib/systemd/system/deadlined.service"):
        assert (dest / rel).is_file(), rel
    assert (dest / "etc/deadlined/cases.d").is_dir()
    unit = (dest / "usr/lib/systemd/system/deadlined.service").read_text()
    assert "ExecStart=/usr/sbin/deadlined " in unit
    assert "/usr/local/" not in unit

    # The installed configuration is valid as installed.
    r = subprocess.run([str(dest / "usr/sbin/deadlined"), "-t", "-c",
                        str(dest / "etc/deadlined/deadlined.conf")],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok\n")


def test_install_keeps_an_existing_configuration(tmp_path):
    dest = tmp_path / "root"
    conf = dest / "etc/deadlined/deadlined.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("# the administrator's own\n")
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}"],
                       cwd=REPO, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert conf.read_text() == "# the administrator's own\n"


def test_unit_exposure_is_at_most_2():
    r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--no-pager", str(REPO / "systemd/deadlined.service")],
                       capture_output=True, text=True, timeout=TIMEOUT)
    out = r.stdout + r.stderr
    m = re.search(r"Overall exposure level for deadlined\.service: "
                  r"([0-9.]+)", out)
    assert m, out
    assert float(m.group(1)) <= 2.0, out


def test_unit_is_type_notify_with_reload():
    unit = (REPO / "systemd/deadlined.service").read_text()
    assert re.search(r"^Type=notify$", unit, re.M)
    assert re.search(r"^ExecReload=/bin/kill -HUP \$MAINPID$", unit, re.M)
    assert re.search(r"^StateDirectory=deadlined$", unit, re.M)
    assert re.search(r"^ConfigurationDirectory=deadlined$", unit, re.M)


def test_make_install_writes_its_paths_into_the_unit(tmp_path):
    dest = tmp_path / "root"
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}",
                        "PREFIX=/opt/dl", "SYSCONFDIR=/opt/dl/etc"],
                       cwd=REPO, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    # The default unit directory follows PREFIX (systemd reads
    # /usr/local/lib/systemd/system for software under /usr/local).
    unit = (dest / "opt/dl/lib/systemd/system/deadlined.service").read_text()
    assert "ExecStart=/opt/dl/sbin/deadlined -c " \
        "/opt/dl/etc/deadlined/deadlined.conf" in unit
    assert "/etc/deadlined" not in unit.replace("/opt/dl/etc/deadlined", "")
    assert "/usr/local" not in unit
    assert (dest / "opt/dl/etc/deadlined/deadlined.conf").is_file()
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={dest}",
                        "UNITDIR=/etc/systemd/system"], cwd=REPO,
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (dest / "etc/systemd/system/deadlined.service").is_file()
