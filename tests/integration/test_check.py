"""deadlined -t: the configuration check.

Every error must come out as "FILE:LINE: message" naming the file and
line that hold the mistake, all of them in one run, and exit 1; a valid
tree prints "ok" and a summary and exits 0.
"""
import os
import re
from dataclasses import dataclass

import pytest

from conftest import (REPO, Raw, assert_error, assert_failed, case, render,
                      cases_conf, error_lines, holidays_conf, line_of,
                      main_conf, windows_conf, write_tree)

GOOD_CASES = {"a.conf": cases_conf(case(id="A-1", transferred="2025-07-03"))}
MAIN_WITH_HOLIDAYS = main_conf(
    calendar='{\n  weekend = [ "sat", "sun" ];\n'
             '  include = [ "holidays/h.conf" ];\n}')
GOOD_HOLIDAYS = holidays_conf(holidays=["2025-10-01", "2025-10-02"],
                              workdays=["2025-09-28"])


# -- valid trees -------------------------------------------------------------

def test_shipped_example_is_ok(run):
    r = run("-t", "-c", REPO / "conf" / "deadlined.conf")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "ok"
    assert lines[1] == ("6 cases, 8 windows open or closed, 4 window "
                        "kinds, 1 receiver"), lines
    assert r.stderr == ""


def test_small_tree_is_ok(tmp_path, check):
    tree = write_tree(tmp_path, main=MAIN_WITH_HOLIDAYS, cases=GOOD_CASES,
                      holidays={"h.conf": GOOD_HOLIDAYS})
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "ok"
    assert r.stderr == ""


def test_admin_receivers_are_ok(tmp_path, check):
    for i, admin in enumerate(('[ "log" ]', "[ ]")):
        tree = write_tree(tmp_path / str(i),
                          main=main_conf(extra=f"admin = {admin};"))
        r = check(tree)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("ok\n")


def test_empty_cases_dir_is_ok(tmp_path, check):
    # A fresh install: `make install` creates an empty cases.d.
    tree = write_tree(tmp_path)
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "ok"
    assert r.stdout.splitlines()[1].startswith("0 cases")


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_known_time_zones_pass(tmp_path, check, zone):
    tree = write_tree(tmp_path, main=main_conf(timezone=zone),
                      cases=GOOD_CASES)
    r = check(tree)
    assert r.returncode == 0, r.stderr


# -- one mistake, one error at its exact place -------------------------------

def test_unterminated_comment_does_not_hide_the_rest(tmp_path, check):
    # Everything after an unclosed /* would be silently ignored.
    main = main_conf(extra='/* a comment never closed\ncolour = "blue";')
    tree = write_tree(tmp_path, main=main, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert any(e.startswith(f"{tree.main}:") for e in error_lines(r)), \
        r.stderr


@dataclass
class Bad:
    """A tree with one mistake; the error is expected in file `where`
    (relative to the tree's root) on the line holding `needle`."""
    where: str
    needle: str
    phrase: str
    main: str = None
    cases: dict = None
    holidays: dict = None


def bad_main(needle, phrase, **main):
    return Bad("deadlined.conf", needle, phrase, main=main_conf(**main))


def bad_case(needle, phrase, *cases):
    return Bad("cases.d/a.conf", needle, phrase,
               cases={"a.conf": cases_conf(*cases)})


def bad_holidays(needle, phrase, text):
    return Bad("holidays/h.conf", needle, phrase, main=MAIN_WITH_HOLIDAYS,
               holidays={"h.conf": text})


CAL_LINES = '{\n  weekend = [ "sat", "sun" ];\n%s\n}'
REM_LINES = '{\n  before = [ 3, 1 ];\n%s\n}'

BAD = [
    # the main file
    pytest.param(bad_main("state_dir = ;", "no value after '='",
                          extra="state_dir = ;"), id="main-syntax"),
    pytest.param(bad_main("colour =", "unknown key 'colour'",
                          extra='colour = "blue";'), id="main-unknown-key"),
    pytest.param(bad_main("holiday =", "unknown key 'holiday' in calendar",
                          calendar=CAL_LINES % '  holiday = [ "2025-10-01" ];'),
                 id="calendar-unknown-key"),
    pytest.param(bad_main("remind =", "unknown key 'remind' in window",
                          windows=windows_conf(remind=3)),
                 id="window-unknown-key"),
    pytest.param(bad_main('url = "https', "unknown key 'url' in receiver",
                          receivers='(\n  { name = "log"; type = "log";\n'
                                    '    url = "https://x.example/"; }\n)'),
                 id="receiver-unknown-key"),
    pytest.param(bad_main("after =", "unknown key 'after' in reminders",
                          reminders=REM_LINES % "  after = [ 1 ];"),
                 id="reminders-unknown-key"),
    pytest.param(bad_main("on = \"weekdays\"",
                          "unknown reminders.on 'weekdays' (working_days or "
                          "calendar_days)",
                          reminders=REM_LINES % '  on = "weekdays";'),
                 id="reminders-on-unknown"),
    pytest.param(bad_main("before_working =",
                          "'before' and 'before_working' are one list "
                          "counted two ways",
                          reminders=REM_LINES % "  before_working = [ 2 ];"),
                 id="reminders-before-and-before-working"),
    pytest.param(bad_main("before_working = [ 0 ]",
                          "'before_working' must hold positive numbers",
                          reminders='{\n  before_working = [ 0 ];\n}'),
                 id="reminders-before-working-zero"),
    pytest.param(bad_main("every = 2", "unknown key 'every' in reminders",
                          windows=windows_conf(
                              reminders=Raw("{\n      every = 2;\n    }"))),
                 id="window-reminders-unknown-key"),
    pytest.param(bad_main('days = "7"', "'days' must be an integer",
                          windows=windows_conf(days="7")),
                 id="days-string"),
    pytest.param(bad_main("on_due_day = 1", "'on_due_day' must be true or false",
                          reminders=REM_LINES % "  on_due_day = 1;"),
                 id="on-due-day-int"),
    pytest.param(bad_main('notify = "log"', "'notify' must be a list",
                          notify='"log"'), id="main-notify-string"),
    pytest.param(bad_main("title = 5", "'title' must be a string",
                          windows=windows_conf(title=5)),
                 id="window-title-int"),
    pytest.param(bad_main("pager", "unknown receiver 'pager' in 'notify'",
                          notify='[ "log", "pager" ]'),
                 id="main-notify-unknown-receiver"),
    pytest.param(bad_main("notify = [ ]", "'notify' is empty",
                          notify="[ ]"), id="main-notify-empty"),
    pytest.param(bad_main("admin =", "unknown receiver 'ops' in 'admin'",
                          extra='admin = [ "log", "ops" ];'),
                 id="admin-unknown-receiver"),
    pytest.param(bad_main("admin =", "'admin' must be a list",
                          extra='admin = "log";'), id="admin-string"),
    pytest.param(bad_main("roll", "unknown roll 'previous_working_day'",
                          calendar=CAL_LINES %
                          '  roll = "previous_working_day";'),
                 id="global-roll-unknown"),
    pytest.param(bad_main("roll =", "unknown roll 'backwards'",
                          windows=windows_conf(roll="backwards")),
                 id="window-roll-unknown"),
    pytest.param(bad_main("Transferred", "not a valid event name",
                          windows=windows_conf(opens="Transferred")),
                 id="window-event-name-invalid"),
    pytest.param(bad_main("days = 0", "'days' must be between 1 and",
                          windows=windows_conf(days=0)), id="days-zero"),
    pytest.param(bad_main("days = -1", "'days' must be between 1 and",
                          windows=windows_conf(days=-1)), id="days-negative"),
    pytest.param(bad_main("extended_days = 0",
                          "'extended_days' must be between 1 and",
                          windows=windows_conf(extended_days=0)),
                 id="extended-days-zero"),
    pytest.param(bad_main("extended_days = -1",
                          "'extended_days' must be between 1 and",
                          windows=windows_conf(extended_days=-1)),
                 id="extended-days-negative"),
    pytest.param(bad_main("Mars/Olympus", "unknown time zone 'Mars/Olympus'",
                          timezone="Mars/Olympus"), id="time-zone-unknown"),
    pytest.param(bad_main('"2025-02-30"', "'2025-02-30' is not a valid date",
                          calendar=CAL_LINES % '  holidays = [ "2025-02-30" ];'),
                 id="calendar-holiday-feb-30"),
    pytest.param(bad_main('workdays = [ "2025-10-01" ]',
                          "2025-10-01 is listed both as a holiday and as a "
                          "workday",
                          calendar=CAL_LINES %
                          '  holidays = [ "2025-10-01" ];\n'
                          '  workdays = [ "2025-10-01" ];'),
                 id="calendar-holiday-and-workday"),
    # a cases file
    pytest.param(bad_case("transferred = ;", "no value after '='",
                          Raw('  { id = "A-1";\n    transferred = ;\n  }')),
                 id="case-syntax"),
    pytest.param(bad_case("transfered", "unknown key 'transfered'",
                          case(id="A-1", transfered="2025-07-03")),
                 id="case-misspelt-transferred"),
    pytest.param(bad_case("title = 5", "'title' must be a string",
                          case(id="A-1", title=5, transferred="2025-07-03")),
                 id="case-title-int"),
    pytest.param(bad_case('notify = "x"', "'notify' must be a list",
                          case(id="A-1", notify="x",
                               transferred="2025-07-03")),
                 id="case-notify-string"),
    pytest.param(bad_case("pager", "unknown receiver 'pager' in 'notify'",
                          case(id="A-1", notify=["pager"],
                               transferred="2025-07-03")),
                 id="case-notify-unknown-receiver"),
    pytest.param(bad_case("notify = [  ]", "'notify' is empty",
                          case(id="A-1", notify=[],
                               transferred="2025-07-03")),
                 id="case-notify-empty"),
    pytest.param(bad_case("2025-02-30", "'2025-02-30' is not a valid date",
                          case(id="A-1", transferred="2025-02-30")),
                 id="case-date-feb-30"),
    pytest.param(bad_case("2025-7-3", "'2025-7-3' is not a valid date",
                          case(id="A-1", transferred="2025-7-3")),
                 id="case-date-no-zero-padding"),
    pytest.param(bad_case("2025-13-01", "'2025-13-01' is not a valid date",
                          case(id="A-1", transferred="2025-13-01")),
                 id="case-date-month-13"),
    pytest.param(bad_case("20250703", "must be a date string",
                          case(id="A-1", transferred=20250703)),
                 id="case-date-int"),
    # A deadline counted from 9999-12-31 would not fit four digits.
    pytest.param(bad_case("9999-12-31", "'9999-12-31' is not a valid date "
                          "(YYYY-MM-DD, years 1900 to 2999)",
                          case(id="A-1", transferred="9999-12-31")),
                 id="case-date-year-9999"),
    pytest.param(bad_main('notify_at = " 9:00"', "'notify_at' must be a "
                          "time \"HH:MM\", not ' 9:00'",
                          notify_at=" 9:00"), id="notify-at-space"),
    pytest.param(bad_main('notify_at = "+9:+5"', "'notify_at' must be a "
                          "time \"HH:MM\", not '+9:+5'",
                          notify_at="+9:+5"), id="notify-at-signs"),
    pytest.param(bad_case("filed =", "'filed' (2025-07-01) is before "
                          "'transferred' (2025-07-03)",
                          case(id="A-1", transferred="2025-07-03",
                               filed="2025-07-01")),
                 id="case-closed-before-opened"),
    pytest.param(bad_case("extended =", "is before 'transferred'",
                          case(id="A-1", transferred="2025-07-03",
                               extended="2025-07-02")),
                 id="case-extended-before-opened"),
    pytest.param(bad_case("not_filed =",
                          "records 'not_filed' but not 'transferred'",
                          case(id="A-1", not_filed="2025-07-09")),
                 id="case-closed-without-opened"),
    pytest.param(bad_case('id = "A-1"', "records no event that opens a window",
                          case(id="A-1", title="nothing recorded yet")),
                 id="case-no-opening-event"),
    pytest.param(bad_case('id = ""', "empty 'id'",
                          case(id="", transferred="2025-07-03")),
                 id="case-empty-id"),
    pytest.param(bad_case("title =", "no 'id'",
                          case(title="no id", transferred="2025-07-03")),
                 id="case-no-id"),
    pytest.param(Bad("cases.d/a.conf", "case = (",
                     "unknown key 'case' in a cases file",
                     cases={"a.conf": 'case = (\n  { id = "A-1"; '
                                      'transferred = "2025-07-03"; }\n);\n'}),
                 id="cases-file-unknown-key"),
    # a holiday file
    pytest.param(bad_holidays("holiday =", "unknown key 'holiday' in a "
                              "holiday file",
                              'holiday = [ "2025-10-01" ];\n'),
                 id="holidays-unknown-key"),
    pytest.param(bad_holidays("2025-02-30", "'2025-02-30' is not a valid date",
                              holidays_conf(holidays=["2025-02-30",
                                                      "2025-01-01"])),
                 id="holidays-feb-30"),
    # the last element of a list, with "];" on the next line (the layout
    # of the shipped holiday files)
    pytest.param(bad_holidays("2025-02-30", "'2025-02-30' is not a valid date",
                              holidays_conf(holidays=["2025-01-01",
                                                      "2025-02-30"])),
                 id="holidays-feb-30-last-in-list"),
    pytest.param(bad_holidays("2025-7-3", "'2025-7-3' is not a valid date",
                              holidays_conf(holidays=["2025-7-3", "2025-01-01"])),
                 id="holidays-no-zero-padding"),
    pytest.param(bad_holidays("2025-13-01", "'2025-13-01' is not a valid date",
                              holidays_conf(workdays=["2025-13-01", "2025-09-28"])),
                 id="workdays-month-13"),
    pytest.param(bad_holidays("oops", "syntax error",
                              'holidays = [ "2025-10-01" oops ];\n'),
                 id="holidays-syntax"),
]


@pytest.mark.parametrize("bad", BAD)
def test_mistake_is_reported_at_its_line(tmp_path, check, bad):
    tree = write_tree(tmp_path, main=bad.main,
                      cases=bad.cases if bad.cases is not None else GOOD_CASES,
                      holidays=bad.holidays)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.path(bad.where), tree.line(bad.where, bad.needle),
                 bad.phrase)


def test_holiday_file_date_both_holiday_and_workday(tmp_path, check):
    text = holidays_conf(holidays=["2025-10-01", "2025-10-02"],
                         workdays=["2025-10-02", "2025-09-28"])
    tree = write_tree(tmp_path, main=MAIN_WITH_HOLIDAYS, cases=GOOD_CASES,
                      holidays={"h.conf": text})
    r = check(tree)
    assert_failed(r)
    workday_line = [i for i, line in enumerate(text.splitlines(), 1)
                    if "2025-10-02" in line][-1]
    assert_error(r, tree.path("holidays/h.conf"), workday_line,
                 "2025-10-02 is listed both as a holiday and as a workday")


def test_holiday_in_main_and_workday_in_holiday_file(tmp_path, check):
    main = main_conf(calendar='{\n  holidays = [ "2025-09-28" ];\n'
                              '  include = [ "holidays/h.conf" ];\n}')
    h = holidays_conf(workdays=["2025-09-28", "2025-10-11"])
    tree = write_tree(tmp_path, main=main, cases=GOOD_CASES,
                      holidays={"h.conf": h})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.path("holidays/h.conf"), line_of(h, "2025-09-28"),
                 "2025-09-28 is listed both as a holiday and as a workday")


def test_missing_holiday_file_is_reported_where_it_is_named(tmp_path, check):
    main = main_conf(calendar='{\n  include = [ "holidays/h.conf",\n'
                              '              "holidays/cn-2027.conf" ];\n}')
    tree = write_tree(tmp_path, main=main, cases=GOOD_CASES,
                      holidays={"h.conf": GOOD_HOLIDAYS})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "cn-2027"),
                 str(tree.path("holidays/cn-2027.conf")))


def test_missing_cases_dir(tmp_path, check):
    tree = write_tree(tmp_path, main=main_conf(cases_dir="no-such-dir"))
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "cases_dir ="),
                 f"cannot open cases_dir '{tmp_path}/no-such-dir'")


# -- duplicate case ids ------------------------------------------------------

def test_duplicate_id_across_files_names_both_places(tmp_path, check):
    a = cases_conf(case(id="(2025)沪0115执1234号", transferred="2025-07-03"))
    b = cases_conf(case(id="B-1", transferred="2025-07-04"),
                   case(id="(2025)沪0115执1234号", transferred="2025-07-05"))
    tree = write_tree(tmp_path, cases={"a.conf": a, "b.conf": b})
    r = check(tree)
    assert_failed(r)
    first = f"{tree.path('cases.d/a.conf')}:{line_of(a, '1234号')}"
    assert_error(r, tree.path("cases.d/b.conf"), line_of(b, "1234号"),
                 f'duplicate case id "(2025)沪0115执1234号" '
                 f"(first defined at {first})")
    assert len(error_lines(r)) == 1, r.stderr


def test_cases_files_are_read_in_name_order(tmp_path, check):
    # Written in reverse order, so directory order is unlikely to match.
    texts = {name: cases_conf(case(id="SAME", transferred="2025-07-03"))
             for name in ("c.conf", "b.conf", "a.conf")}
    tree = write_tree(tmp_path, cases=texts)
    r = check(tree)
    assert_failed(r)
    line = line_of(texts["a.conf"], "SAME")
    first = f"first defined at {tree.path('cases.d/a.conf')}:{line}"
    assert_error(r, tree.path("cases.d/b.conf"), line, first)
    assert_error(r, tree.path("cases.d/c.conf"), line, first)
    assert len(error_lines(r)) == 2, r.stderr


def test_only_conf_files_in_cases_dir_are_read(tmp_path, check):
    garbage = "this is { not ; libconfig \x01\n"
    tree = write_tree(tmp_path, cases=GOOD_CASES, files={
        "cases.d/README": garbage,
        "cases.d/x.conf.bak": garbage,
        "cases.d/x.conf~": garbage,
        "cases.d/.x.conf.swp": garbage,
        "cases.d/notes.txt": garbage,
    })
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith("1 case,")


# -- all errors of a tree in one run -----------------------------------------

def test_every_error_of_a_tree_in_one_run(tmp_path, check):
    main = main_conf(extra='colour = "blue";',
                     calendar='{\n  include = [ "holidays/h.conf" ];\n}')
    a = cases_conf(case(id="A-1", transfered="2025-07-03"))
    b = cases_conf(case(id="B-1", transferred="2025-02-30"))
    h = holidays_conf(holidays=["2025-10-01"], extra='holiday = [ ];\n')
    tree = write_tree(tmp_path, main=main, cases={"a.conf": a, "b.conf": b},
                      holidays={"h.conf": h})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(main, "colour"), "unknown key 'colour'")
    assert_error(r, tree.path("cases.d/a.conf"), line_of(a, "transfered"),
                 "unknown key 'transfered'")
    assert_error(r, tree.path("cases.d/b.conf"), line_of(b, "2025-02-30"),
                 "'2025-02-30' is not a valid date")
    assert_error(r, tree.path("holidays/h.conf"), line_of(h, "holiday = [ ]"),
                 "unknown key 'holiday'")


def test_errors_go_to_stderr_in_file_line_form(tmp_path, check):
    a = cases_conf(case(id="A-1", transfered="2025-07-03"),
                   case(id="B-1", transferred="2025-7-3"))
    tree = write_tree(tmp_path, main=main_conf(timezone="Mars/Olympus"),
                      cases={"a.conf": a})
    r = check(tree)
    assert_failed(r)
    assert r.stdout == ""
    for line in error_lines(r):
        assert re.match(rf"^{re.escape(str(tmp_path))}/\S+:\d+: \S", line), line


# -- time zones --------------------------------------------------------------

@pytest.mark.parametrize("zone", ["Mars/Olympus", "asia/shanghai",
                                  "../../etc/passwd", "/etc/localtime", ""])
def test_time_zone_not_in_tz_database(tmp_path, check, zone):
    tree = write_tree(tmp_path, main=main_conf(timezone=zone),
                      cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "timezone"),
                 "unknown time zone")


# -- secrets -----------------------------------------------------------------

SECRET_RECEIVERS = """(
  { name = "log"; type = "log"; },
  { name = "ops_hook"; type = "webhook";
    url = "https://hooks.example.org/deadlines";
    secret_file = "secrets/hook"; },
  { name = "legal_mail"; type = "email";
    url = "smtps://mail.example.org:465"; username = "deadlined";
    password_file = "secrets/smtp";
    from = "deadlined@example.org"; to = [ "legal@example.org" ]; }
)"""
HOOK_SECRET = "s3cr3t-XYZ"
SMTP_PASSWORD = "pa55w0rd-QRS"


def secret_tree(tmp_path, hook=HOOK_SECRET + "\n", smtp=SMTP_PASSWORD + "\n",
                cases=None, **main):
    files = {}
    if hook is not None:
        files["secrets/hook"] = hook
    if smtp is not None:
        files["secrets/smtp"] = smtp
    tree = write_tree(tmp_path, main=main_conf(receivers=SECRET_RECEIVERS,
                                               **main),
                      cases=cases or GOOD_CASES, files=files)
    for rel in files:
        tree.path(rel).chmod(0o600)     # as a secret should be
    return tree


def test_readable_secrets_pass(tmp_path, check):
    r = check(secret_tree(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].endswith("3 receivers")


@pytest.mark.parametrize("key,rel", [("secret_file", "secrets/hook"),
                                     ("password_file", "secrets/smtp")])
def test_missing_secret_file_names_its_path(tmp_path, check, key, rel):
    tree = secret_tree(tmp_path, **{("hook" if "hook" in rel else "smtp"):
                                    None})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", f"{key} ="),
                 f"cannot read {key} '{tree.path(rel)}'")


def test_secret_file_that_is_a_directory(tmp_path, check):
    tree = secret_tree(tmp_path, hook=None)
    tree.path("secrets/hook").mkdir()
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "secret_file ="),
                 f"'{tree.path('secrets/hook')}'")


def test_empty_secret_file(tmp_path, check):
    tree = secret_tree(tmp_path, smtp="\n")
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "password_file ="),
                 f"'{tree.path('secrets/smtp')}': file is empty")


def assert_no_secret(result):
    for blob in (result.stdout_bytes, result.stderr_bytes):
        for secret in (HOOK_SECRET, SMTP_PASSWORD):
            assert secret.encode() not in blob, blob


@pytest.mark.parametrize("args", [["-t"], ["-t", "-v"], ["--list"],
                                  ["--list", "--json"]])
def test_secret_content_never_printed(tmp_path, run, args):
    tree = secret_tree(tmp_path)
    r = run(*args, "-c", tree.main, "--now", "2025-07-07T10:00")
    assert r.returncode == 0, r.stderr
    assert_no_secret(r)


def test_secret_content_not_printed_with_errors(tmp_path, run):
    bad = cases_conf(case(id="A-1", transfered="2025-07-03"))
    tree = secret_tree(tmp_path, cases={"a.conf": bad}, extra="oops = 1;")
    for args in (["-t"], ["--list", "--json"]):
        r = run(*args, "-c", tree.main)
        assert r.returncode == 1
        assert_no_secret(r)


# -- relative paths ----------------------------------------------------------

def relative_tree(tmp_path):
    main = main_conf(receivers=SECRET_RECEIVERS,
                     calendar='{\n  include = [ "holidays/h.conf" ];\n}')
    return write_tree(tmp_path / "etc", main=main, cases=GOOD_CASES,
                      holidays={"h.conf": GOOD_HOLIDAYS},
                      files={"secrets/hook": HOOK_SECRET,
                             "secrets/smtp": SMTP_PASSWORD})


def test_relative_paths_resolve_against_main_file_dir(tmp_path, check):
    tree = relative_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = check(tree, cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith("1 case,")


def test_relative_main_file_path(tmp_path, run):
    tree = relative_tree(tmp_path)
    r = run("-t", "-c", "etc/deadlined.conf", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("-t", "-c", "deadlined.conf", cwd=tree.root)
    assert r.returncode == 0, r.stderr


def test_errors_in_relative_files_name_the_resolved_path(tmp_path, check):
    tree = relative_tree(tmp_path)
    bad = cases_conf(case(id="A-1", transfered="2025-07-03"))
    tree.path("cases.d/a.conf").write_text(bad, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = check(tree, cwd=elsewhere)
    assert_failed(r)
    assert_error(r, tmp_path / "etc" / "cases.d" / "a.conf",
                 line_of(bad, "transfered"), "unknown key 'transfered'")


# -- a broken tree never crashes -------------------------------------------

NASTY_MAIN = {
    "empty": b"",
    "only-comments": b"# nothing\n// here\n/* at all */\n",
    "binary": bytes(range(256)) * 8,
    "nul-bytes": b'timezone = "Asia\x00/Shanghai";\n',
    "huge-int": b"windows = { decision = { opens = \"transferred\"; "
                b"closes = [ \"filed\" ]; days = 99999999999999999999999; }; };\n",
    "int64-max": b"windows = { decision = { opens = \"transferred\"; "
                 b"closes = [ \"filed\" ]; days = 9223372036854775807L; }; };\n",
    "int64-min": b"reminders = { overdue_every = -9223372036854775808L; "
                 b"overdue_max = 4294967297; before = [ 2147483648L ]; };\n",
    "float-days": b"windows = { decision = { opens = \"transferred\"; "
                  b"closes = [ \"filed\" ]; days = 7.5; }; };\n",
    "deep-groups": b"x = " + b"{ a = " * 5000 + b"1;" + b" };" * 5000 + b"\n",
    "deep-lists": b"x = " + b"( " * 20000 + b")" * 20000 + b";\n",
    "deep-calendar": b"calendar = " + b"{ include = " * 300 + b"1" +
                     b"; }" * 300 + b";\n",
    "100-weekend": b"calendar = { weekend = [ " +
                   b", ".join(b'"day%d"' % i for i in range(100)) + b" ]; };\n",
    "100-before": b"reminders = { before = [ " +
                  b", ".join(b"%d" % i for i in range(1, 101)) + b" ]; };\n",
    "100-notify": b"notify = [ " +
                  b", ".join(b'"r%d"' % i for i in range(100)) + b" ];\n",
    "100-closes": b"windows = { w = { opens = \"transferred\"; days = 7; "
                  b"closes = [ " +
                  b", ".join(b'"e%d"' % i for i in range(100)) + b" ]; }; };\n",
    "100-windows": b"windows = { " + b" ".join(
        b'w%d = { opens = "o%d"; closes = [ "c%d" ]; days = %d; };'
        % (i, i, i, i + 1) for i in range(100)) + b" };\n",
    "100-receivers": b"receivers = ( " + b", ".join(
        b'{ name = "r"; type = "log"; }' for _ in range(100)) + b" );\n",
    "all-weekend": b'calendar = { weekend = [ "mon", "tue", "wed", "thu", '
                   b'"fri", "sat", "sun" ]; };\n',
    "non-utf8-zone": b'timezone = "Asia/\xff\xfe";\n',
    "non-utf8-window-title": b'windows = { decision = { title = "\xc3\x28 '
                             b'\xed\xa0\x80"; opens = "transferred"; '
                             b'closes = [ "filed" ]; days = 7; }; };\n',
    "long-zone": b'timezone = "' + b"A" * 100000 + b'";\n',
    "long-cases-dir": b'cases_dir = "' + b"d/" * 5000 + b'";\n',
    "long-notify-at": b'notify_at = "' + b"9" * 100000 + b'";\n',
    "long-key": b"k" * 100000 + b" = 1;\n",
    "long-window-name": b"windows = { " + b"w" * 5000 +
                        b' = { opens = "transferred"; closes = [ "filed" ]; '
                        b"days = 7; }; };\n",
    "long-include": b'calendar = { include = [ "' + b"h" * 10000 + b'" ]; };\n',
    "long-secret-path": b'receivers = ( { name = "h"; type = "webhook"; '
                        b'url = "https://x/"; secret_file = "' +
                        b"s/" * 3000 + b'"; } );\n',
    "long-header": b'receivers = ( { name = "h"; type = "webhook"; '
                   b'url = "https://x/"; headers = [ "' + b"X" * 50000 +
                   b': v" ]; } );\n',
    "bad-rate": b'receivers = ( { name = "h"; type = "log"; '
                b'rate = "99999999999999999999/min"; } );\n',
    "include-dev-null": b'calendar = { include = [ "/dev/null" ]; };\n',
    "include-itself": b'calendar = { include = [ "deadlined.conf" ]; };\n',
    "include-a-dir": b'calendar = { include = [ "cases.d" ]; };\n',
    "unterminated-string": b'timezone = "Asia/Shanghai;\n',
    "unterminated-comment": b"/* never closed\n",
    "windows-not-groups": b'windows = { decision = 5; reasons = "x"; };\n',
    "receivers-not-groups": b'receivers = ( 1, "x", [ 1 ] );\n',
}

_NASTY_CASE_BODIES = {
    "empty": b"",
    "binary": bytes(range(255, -1, -1)) * 8,
    "cases-not-list": b'cases = { id = "x"; };\n',
    "cases-of-scalars": b"cases = ( 1, \"x\", [ 1 ] );\n",
    "non-utf8-title": b'cases = ( { id = "A-1"; title = "\xff\xfe\xfa bad"; '
                      b'transferred = "2025-07-03"; } );\n',
    "non-utf8-id": b'cases = ( { id = "\xc0\xaf\xe0\x80\xaf"; '
                   b'transferred = "2025-07-03"; } );\n',
    "long-id": b'cases = ( { id = "' + "执".encode() * 50000 +
               b'"; transferred = "2025-07-03"; } );\n',
    "long-title": b'cases = ( { id = "A-1"; title = "' + b"t" * 1000000 +
                  b'"; transferred = "2025-07-03"; } );\n',
    "long-event-value": b'cases = ( { id = "A-1"; transferred = "' +
                        b"2" * 100000 + b'"; } );\n',
    "100-unknown-keys": b'cases = ( { id = "A-1"; ' + b" ".join(
        b'k%d = "2025-07-03";' % i for i in range(100)) + b" } );\n",
    "100-notify": b'cases = ( { id = "A-1"; transferred = "2025-07-03"; '
                  b"notify = [ " + b", ".join(
                      b'"r%d"' % i for i in range(100)) + b" ]; } );\n",
    "far-dates": b'cases = ( { id = "A-1"; transferred = "9999-12-31"; }, '
                 b'{ id = "A-2"; transferred = "1900-01-01"; }, '
                 b'{ id = "A-3"; transferred = "0000-01-01"; }, '
                 b'{ id = "A-4"; transferred = "2024-02-29"; } );\n',
    "5000-cases": b"cases = ( " + b", ".join(
        b'{ id = "C%d"; transferred = "2025-07-03"; }' % i
        for i in range(5000)) + b" );\n",
    "5000-same-id": b"cases = ( " + b", ".join(
        b'{ id = "SAME"; transferred = "2025-07-03"; }'
        for _ in range(5000)) + b" );\n",
    "deep-case": b'cases = ( { id = "A-1"; transferred = ' + b"( " * 5000 +
                 b")" * 5000 + b"; } );\n",
}

NASTY = ([pytest.param("deadlined.conf", body, id=f"main-{name}")
          for name, body in NASTY_MAIN.items()] +
         [pytest.param("cases.d/a.conf", body, id=f"case-{name}")
          for name, body in _NASTY_CASE_BODIES.items()] +
         [pytest.param("holidays/h.conf", body, id=f"holidays-{name}")
          for name, body in {
              "empty": b"",
              "binary": b"\x00\xff" * 1000,
              "every-day-a-holiday": b"holidays = [ " + b", ".join(
                  b'"2025-%02d-%02d"' % (m, d) for m in range(1, 13)
                  for d in range(1, 29)) + b" ];\n",
              "scalars": b"holidays = 5; workdays = \"x\";\n",
              "nested": b"holidays = [ [ \"2025-10-01\" ] ]; "
                        b"workdays = ( ( ) );\n",
          }.items()])


@pytest.mark.parametrize("rel,content", NASTY)
def test_broken_tree_never_crashes(tmp_path, run, rel, content):
    files = {rel: content}
    main = MAIN_WITH_HOLIDAYS if rel.startswith("holidays/") else None
    tree = write_tree(tmp_path, main=main, cases=GOOD_CASES,
                      holidays={"h.conf": GOOD_HOLIDAYS}, files=files)
    for args in (["-t"], ["--list", "--json", "--now", "2025-07-07T10:00"]):
        r = run(*args, "-c", tree.main)
        assert r.returncode in (0, 1), (r.returncode, r.stderr[-2000:])
        if r.returncode == 1:
            assert r.stderr.strip(), "exit 1 without a word on stderr"
        elif args[0] == "-t":
            assert r.stdout.splitlines()[0] == "ok"


@pytest.mark.parametrize("kind", ["directory", "dangling-symlink"])
def test_unreadable_cases_file_is_an_error_not_a_crash(tmp_path, check, kind):
    tree = write_tree(tmp_path, cases=GOOD_CASES)
    target = tree.path("cases.d/b.conf")
    if kind == "directory":
        target.mkdir()
    else:
        os.symlink(tmp_path / "no-such-file", target)
    r = check(tree)
    assert_failed(r)
    reason = "Is a directory" if kind == "directory" else \
        "No such file or directory"
    assert any(e.startswith(f"{target}:") and reason in e
               for e in error_lines(r)), r.stderr


def test_missing_main_file(tmp_path, run):
    r = run("-t", "-c", tmp_path / "nope.conf")
    assert_failed(r)
    assert f"{tmp_path}/nope.conf" in r.stderr
    assert "No such file or directory" in r.stderr


def test_main_file_that_is_a_directory(tmp_path, run):
    r = run("-t", "-c", tmp_path)
    assert_failed(r)
    assert f"{tmp_path}: " in r.stderr
    assert "Is a directory" in r.stderr, r.stderr


def test_duplicate_receiver_is_reported_once_per_duplicate(tmp_path, check):
    receivers = ('(\n  { name = "log"; type = "log"; },\n'
                 '  { name = "log"; type = "log"; timeout = 5; },\n'
                 '  { name = "log"; type = "log"; timeout = 6; }\n)')
    tree = write_tree(tmp_path, main=main_conf(receivers=receivers),
                      cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    first = tree.line("deadlined.conf", '{ name = "log"; type = "log"; }')
    for needle in ("timeout = 5", "timeout = 6"):
        assert_error(r, tree.main, tree.line("deadlined.conf", needle),
                     f"duplicate receiver 'log' (first at line {first})")
    assert len(error_lines(r)) == 2, r.stderr


def test_secret_file_with_a_nul_byte(tmp_path, check):
    tree = secret_tree(tmp_path, hook="abc\0def\n")
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "secret_file ="),
                 "file holds a NUL byte")
    assert "abc" not in r.stdout + r.stderr


def test_empty_receivers_list(tmp_path, check):
    tree = write_tree(tmp_path, main=main_conf(receivers="()", notify=None),
                      cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "receivers ="),
                 "'receivers' is empty")


def test_receiver_names_as_in_design(tmp_path, check):
    """DESIGN.md names receivers "legal-mail" and "ops-hook"."""
    receivers = '( { name = "legal-mail"; type = "log"; },\n' \
                '  { name = "ops.hook_2"; type = "log"; } )'
    tree = write_tree(tmp_path, main=main_conf(
        receivers=receivers, notify='[ "legal-mail" ]'),
        cases=GOOD_CASES)
    r = check(tree)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name", ["-x", "a b", "ä", ""])
def test_bad_receiver_names(tmp_path, check, name):
    receivers = '( { name = "%s"; type = "log"; } )' % name
    tree = write_tree(tmp_path, main=main_conf(receivers=receivers,
                                               notify=None),
                      cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "receivers ="),
                 "not a valid receiver name")


def test_warns_about_a_year_no_holiday_file_covers(tmp_path, check):
    # The calendar lists 2025 only; a window opened 2025-12-29 ends in
    # 2026, whose holidays nobody put in.
    cases = {"a.conf": cases_conf(
        case(id="A-1", transferred="2025-12-29"),
        case(id="A-2", transferred="2025-12-30"),
        case(id="A-3", transferred="2025-12-30", filed="2025-12-31"),
        case(id="A-4", transferred="2025-07-03"))}
    r = check(write_tree(tmp_path, main=main_conf(), cases=cases))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok\n")
    warnings = [l for l in r.stderr.splitlines() if "warning:" in l]
    assert len(warnings) == 1, r.stderr
    assert "2 open windows have a deadline in 2026" in warnings[0]
    assert "holidays/cn-2026.conf" in warnings[0]


def test_no_year_warning_without_holidays(tmp_path, check):
    # A calendar of weekends only is a choice, not a missing file.
    cal = '{\n  weekend = [ "sat", "sun" ];\n}'
    cases = {"a.conf": cases_conf(case(id="A-1", transferred="2025-12-29"))}
    r = check(write_tree(tmp_path, main=main_conf(calendar=cal),
                         cases=cases))
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr


def test_shipped_calendars_cover_their_years(run):
    r = run("-t", "-c", str(REPO / "conf/deadlined.conf"))
    assert r.returncode == 0
    assert "warning" not in r.stderr


# -- facts that cannot be right ----------------------------------------------

def test_two_closing_events_of_one_window(tmp_path, check):
    a = cases_conf(case(id="X", transferred="2025-07-03", filed="2025-07-08",
                        not_filed="2025-07-09"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = check(tree)
    assert_failed(r)
    path = tree.path("cases.d/a.conf")
    filed, not_filed = line_of(a, "2025-07-08"), line_of(a, "not_filed =")
    assert error_lines(r) == [
        f"{path}:{not_filed}: case \"X\": 'not_filed' closes window "
        f"'decision', which 'filed' ({path}:{filed}) already closes; keep "
        f"only the one that happened"]


def test_one_closing_event_per_window_is_fine(tmp_path, check):
    # not_filed closes decision and opens reasons; reasons_received
    # closes reasons: one closing event each.
    a = cases_conf(case(id="X", transferred="2025-07-03",
                        not_filed="2025-07-09",
                        reasons_received="2025-07-12"))
    r = check(write_tree(tmp_path, cases={"a.conf": a}))
    assert r.returncode == 0, r.stderr


def test_ids_differing_in_full_width_forms_or_spaces(tmp_path, check):
    a = cases_conf(case(id="（2026）沪0115执5001号", transferred="2025-07-03"))
    b = cases_conf(case(id="(2026)沪0115执5001号", transferred="2025-07-04"),
                   case(id="（２０２６）沪0115执5001号",
                        transferred="2025-07-05"))
    tree = write_tree(tmp_path, cases={"a.conf": a, "b.conf": b})
    r = check(tree)
    assert_failed(r)
    first = f"{tree.path('cases.d/a.conf')}:{line_of(a, '5001号')}"
    b_path = tree.path("cases.d/b.conf")
    assert error_lines(r) == [
        f'{b_path}:{line_of(b, "(2026)")}: case id "(2026)沪0115执5001号" '
        f'differs from "（2026）沪0115执5001号" (first defined at {first}) '
        f"only in full-width forms or white space: they name the same case",
        f'{b_path}:{line_of(b, "２０２６")}: case id "（２０２６）沪0115执5001号" '
        f'differs from "（2026）沪0115执5001号" (first defined at {first}) '
        f"only in full-width forms or white space: they name the same case"]


def test_id_with_white_space_around_it(tmp_path, check):
    a = cases_conf(case(id="(2026)沪0115执5001号 ", transferred="2025-07-03"),
                   case(id="\u3000B-1", transferred="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = check(tree)
    assert_failed(r)
    path = tree.path("cases.d/a.conf")
    assert error_lines(r) == [
        f'{path}:{line_of(a, "5001号")}: case id "(2026)沪0115执5001号 " has '
        f"white space at its start or end",
        f'{path}:{line_of(a, "B-1")}: case id "\u3000B-1" has white space '
        f"at its start or end"]


def test_id_with_white_space_duplicates_one_without(tmp_path, check):
    a = cases_conf(case(id="（2026）沪0115执5001号", transferred="2025-07-03"),
                   case(id="(2026)沪0115执5001号 ", transferred="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = check(tree)
    assert_failed(r)
    path = tree.path("cases.d/a.conf")
    line = line_of(a, "5001号 ")
    assert_error(r, path, line, "has white space at its start or end")
    assert_error(r, path, line,
                 f'case id "(2026)沪0115执5001号 " differs from '
                 f'"（2026）沪0115执5001号" (first defined at '
                 f'{path}:{line_of(a, "（2026）")})')


# -- warnings: valid, but unlikely to be right -------------------------------

def warning_lines(result):
    return [line for line in error_lines(result) if ": warning: " in line]


def assert_ok_with_warnings(result, *warnings):
    """-t passed (exit 0, ok) and printed exactly these warnings."""
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "ok"
    assert warning_lines(result) == list(warnings), result.stderr


def test_warns_about_an_event_after_today(tmp_path, run):
    # A typo such as 2062 would close the window today.
    a = cases_conf(case(id="X", transferred="2025-07-03",
                        filed="2062-07-09"),
                   case(id="Y", transferred="2025-07-08"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = run("-t", "-c", tree.main, "--now", "2025-07-07T10:00")
    path = tree.path("cases.d/a.conf")
    assert_ok_with_warnings(
        r,
        f"{path}:{line_of(a, '2062')}: warning: case \"X\": 'filed' "
        f"(2062-07-09) is after today (2025-07-07); an event counts as soon "
        f"as it is recorded, so check the date",
        f"{path}:{line_of(a, '2025-07-08')}: warning: case \"Y\": "
        f"'transferred' (2025-07-08) is after today (2025-07-07); an event "
        f"counts as soon as it is recorded, so check the date")


def test_today_is_in_the_configured_zone(tmp_path, run):
    # 2025-07-07T20:00Z is already 07-08 in Shanghai.
    a = cases_conf(case(id="Y", transferred="2025-07-08"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = run("-t", "-c", tree.main, "--now", "2025-07-07T20:00Z")
    assert_ok_with_warnings(r)
    r = run("-t", "-c", tree.main, "--now", "2025-07-07T15:59Z")
    assert len(warning_lines(r)) == 1, r.stderr


def test_warns_about_an_event_a_year_after_its_window_opened(tmp_path, run):
    a = cases_conf(case(id="X", transferred="2025-07-03",
                        extended="2026-07-05"),
                   case(id="Z", transferred="2025-07-03",
                        filed="2026-07-04"))
    tree = write_tree(tmp_path, cases={"a.conf": a})
    r = run("-t", "-c", tree.main, "--now", "2026-08-01T10:00")
    path = tree.path("cases.d/a.conf")
    # 2026-07-04 is 366 days after 2025-07-03: still fine.
    assert_ok_with_warnings(
        r,
        f"{path}:{line_of(a, '2026-07-05')}: warning: case \"X\": "
        f"'extended' (2026-07-05) is 367 days after 'transferred' "
        f"(2025-07-03), which opens window 'decision'; check the date")


def test_warns_about_files_in_cases_dir_that_are_not_read(tmp_path, check):
    tree = write_tree(tmp_path, cases=GOOD_CASES, files={
        "cases.d/a.conf~": "",
        "cases.d/a.conf.bak": "",
        "cases.d/a.conf.orig": "",
        "cases.d/README": "",
        "cases.d/old/b.conf": "",
        "cases.d/.a.conf.swp": "",    # hidden: set aside on purpose
        "cases.d/.hidden.conf": "",
    })
    r = check(tree)
    d = tree.cases_dir
    said = "warning: not read: only *.conf files in cases_dir are read"
    assert_ok_with_warnings(r, f"{d}/README: {said}", f"{d}/a.conf.bak: {said}",
                            f"{d}/a.conf.orig: {said}", f"{d}/a.conf~: {said}",
                            f"{d}/old: {said}")
    assert r.stdout.splitlines()[1].startswith("1 case,")


def test_clean_tree_has_no_warnings(tmp_path, run):
    tree = write_tree(tmp_path, cases=GOOD_CASES)
    r = run("-t", "-c", tree.main, "--now", "2025-07-07T10:00")
def test_errors_escape_control_characters(tmp_path, check):
    # Errors quote case ids; one holding a line feed must not start a line
    # of its own (a start under journald prints these errors too).
    forged = Raw('"A-1\\n<0>forged\\r\\x1b[31m"')
    text = cases_conf(case(id=forged, transferred="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": text, "b.conf": text})
    r = check(tree)
    assert_failed(r)
    assert b"\r" not in r.stderr_bytes and b"\x1b" not in r.stderr_bytes
    lines = error_lines(r)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{tree.cases_dir}/b.conf:"), lines
    assert 'duplicate case id "A-1\\n<0>forged\\r\\x1b[31m"' in lines[0]


# -- receiver URLs -------------------------------------------------------------

URL_TOKEN = "tok-7c6b5a49"


def url_tree(tmp_path, url, kind="webhook"):
    if kind == "webhook":
        receiver = '{ name = "hook"; type = "webhook";\n    url = %s; }'
    else:
        receiver = ('{ name = "hook"; type = "email";\n    url = %s;\n'
                    '    from = "a@example.org"; to = [ "b@example.org" ]; }')
    receivers = "(\n  " + receiver % render(url) + "\n)"
    return write_tree(tmp_path, cases=GOOD_CASES,
                      main=main_conf(receivers=receivers,
                                     notify='[ "hook" ]'))


@pytest.mark.parametrize("kind,url,phrase", [
    ("webhook", "https://hooks.example.org/x?token=%s ",
     "url: holds a space or a control character"),
    ("webhook", "https://hooks.example.org/a\tb?token=%s",
     "url: holds a space or a control character"),
    ("webhook", "https://hooks.example.org:99999/x?token=%s",
     "url: the port must be between 1 and 65535"),
    ("webhook", "https://hooks.example.org:0/x?token=%s",
     "url: the port must be between 1 and 65535"),
    ("webhook", "htps://hooks.example.org/x?token=%s",
     "url: the scheme must be https:// or http://"),
    ("webhook", "ftp://hooks.example.org/x?token=%s",
     "url: the scheme must be https:// or http://"),
    ("webhook", "HTTPS://hooks.example.org/x?token=%s",
     "url: the scheme must be https:// or http://"),
    ("webhook", "https://:443/x?token=%s", "url: it names no host"),
    ("webhook", "https://?token=%s", "url: it names no host"),
    ("webhook", "hooks.example.org/x?token=%s",
     "url: the scheme must be https:// or http://"),
    ("email", "https://mail.example.org/?token=%s",
     "url: the scheme must be smtp:// or smtps://"),
    ("email", "smtp://mail.example.org:70000/?token=%s",
     "url: the port must be between 1 and 65535"),
    ("email", "smtps://:465/?token=%s", "url: it names no host"),
], ids=["trailing-space", "tab", "port-99999", "port-0", "htps", "ftp",
        "upper-case-scheme", "no-host", "nothing-after-scheme", "no-scheme",
        "email-https", "email-port", "email-no-host"])
def test_bad_receiver_url(tmp_path, check, kind, url, phrase):
    tree = url_tree(tmp_path, url % URL_TOKEN, kind)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "url ="),
                 "receiver 'hook': " + phrase)
    # The URL may hold a token: it is never printed.
    assert URL_TOKEN not in r.stderr and URL_TOKEN not in r.stdout


@pytest.mark.parametrize("kind,url", [
    ("webhook", "https://hooks.example.org/x?token=%s"),
    ("webhook", "http://127.0.0.1:8080/x?token=%s"),
    ("webhook", "https://[::1]:65535/x?token=%s"),
    ("webhook", "https://user:%s@hooks.example.org/"),
    ("email", "smtp://mail.example.org:1/?%s"),
    ("email", "smtps://mail.example.org"),
])
def test_good_receiver_url(tmp_path, check, kind, url):
    r = check(url_tree(tmp_path, url.replace("%s", URL_TOKEN), kind))
    assert r.returncode == 0, r.stderr


# -- only regular files are read -----------------------------------------------

FAST = 5  # seconds: a FIFO or a device must be refused, not read


def test_fifo_in_cases_dir_fails_fast(tmp_path, run):
    tree = write_tree(tmp_path, cases=GOOD_CASES)
    fifo = tree.path("cases.d/b.conf")
    os.mkfifo(fifo)
    r = run("-t", "-c", tree.main, timeout=FAST)
    assert_failed(r)
    assert f"{fifo}: cannot read: not a regular file (a FIFO)" in \
        error_lines(r), r.stderr


def test_case_file_linked_to_dev_zero_fails_fast(tmp_path, run):
    tree = write_tree(tmp_path, cases=GOOD_CASES)
    link = tree.path("cases.d/b.conf")
    os.symlink("/dev/zero", link)
    r = run("-t", "-c", tree.main, timeout=FAST)
    assert_failed(r)
    assert f"{link}: cannot read: not a regular file (a character device)" \
        in error_lines(r), r.stderr


def test_fifo_as_holiday_file_fails_fast(tmp_path, run):
    tree = write_tree(tmp_path, main=MAIN_WITH_HOLIDAYS, cases=GOOD_CASES)
    tree.path("holidays").mkdir()
    os.mkfifo(tree.path("holidays/h.conf"))
    r = run("-t", "-c", tree.main, timeout=FAST)
    assert_failed(r)
    assert_error(r, tree.main, line_of(MAIN_WITH_HOLIDAYS, "include"),
                 "not a regular file (a FIFO)")


@pytest.mark.parametrize("key,rel", [("secret_file", "secrets/hook"),
                                     ("password_file", "secrets/smtp")])
def test_fifo_as_secret_file_fails_fast(tmp_path, run, key, rel):
    tree = secret_tree(tmp_path, **{("hook" if "hook" in rel else "smtp"):
                                    None})
    os.mkfifo(tree.path(rel))
    r = run("-t", "-c", tree.main, timeout=FAST)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", f"{key} ="),
                 f"cannot read {key} '{tree.path(rel)}': not a regular file "
                 "(a FIFO)")


def test_secret_file_too_large(tmp_path, check):
    tree = secret_tree(tmp_path, hook="x" * 65537)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "secret_file ="),
                 "larger than 64 KiB")


def test_cases_file_too_large(tmp_path, check):
    tree = write_tree(tmp_path, cases=GOOD_CASES)
    big = tree.path("cases.d/big.conf")
    with open(big, "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)    # sparse: costs no disk
    r = check(tree)
    assert_failed(r)
    assert f"{big}: cannot read: larger than 64 MiB" in error_lines(r), \
        r.stderr


def test_nul_byte_in_a_cases_file(tmp_path, check):
    # libconfig reads text up to a NUL: what follows would be ignored.
    text = cases_conf(case(id="A-1", transferred="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": text.encode() + b"\0" +
                                       b"oops = 1;\n"})
    r = check(tree)
    assert_failed(r)
    assert any("holds a NUL byte" in e for e in error_lines(r)), r.stderr


def test_at_include_is_refused(tmp_path, check):
    main = main_conf(extra='@include "extra.conf"')
    tree = write_tree(tmp_path, main=main, cases=GOOD_CASES,
                      files={"extra.conf": 'colour = "blue";\n'})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(main, "@include"),
                 "@include is not supported")


# -- secret file permissions ---------------------------------------------------

def octal(value):
    """Test ids: a mode as 0o644, anything else as it is."""
    return oct(value) if isinstance(value, int) else str(value)


@pytest.mark.parametrize("mode,who", [(0o644, "others"), (0o604, "others"),
                                      (0o640, "its group")], ids=octal)
def test_secret_readable_by_others_is_a_warning(tmp_path, check, mode, who):
    tree = secret_tree(tmp_path)
    tree.path("secrets/hook").chmod(mode)
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "ok"
    line = tree.line("deadlined.conf", "secret_file =")
    assert error_lines(r) == [
        f"{tree.main}:{line}: warning: secret_file "
        f"'{tree.path('secrets/hook')}' is readable by {who}; chmod 600 it"]
    assert_no_secret(r)


@pytest.mark.parametrize("mode,who", [(0o602, "others"), (0o620, "its group"),
                                      (0o666, "others")], ids=octal)
def test_secret_writable_by_others_is_an_error(tmp_path, check, mode, who):
    tree = secret_tree(tmp_path)
    tree.path("secrets/smtp").chmod(mode)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "password_file ="),
                 f"password_file '{tree.path('secrets/smtp')}' is writable by "
                 f"{who}; chmod 600 it")
    assert_no_secret(r)


@pytest.mark.parametrize("mode", [0o600, 0o400], ids=octal)
def test_private_secret_has_no_warning(tmp_path, check, mode):
    tree = secret_tree(tmp_path)
    tree.path("secrets/hook").chmod(mode)
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
