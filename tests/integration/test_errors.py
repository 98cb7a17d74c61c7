"""deadlined -t: errors a clerk can act on.

libconfig says only "FILE:LINE: syntax error"; deadlined names the
character, its column (in characters, from 1) and the fix, as
"FILE:LINE:COLUMN: message".  Also: one error for a file that is not
UTF-8, did-you-mean for misspelt names, impossible dates that say why,
integers checked as written, and --list without the secret files.
"""
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

from conftest import (assert_error, assert_failed, case, cases_conf,
                      error_lines, line_of, main_conf, sanitizer_report,
                      windows_conf, write_tree)

GOOD_CASES = {"a.conf": cases_conf(case(id="A-1", transferred="2025-07-03"))}
EVENTS = "transferred, filed, not_filed, extended, reasons_received"


def place(text, needle, line_needle=None):
    """(line, column) of needle in text, the column counted in
    characters from 1 as deadlined counts it."""
    line = line_of(text, line_needle or needle)
    return line, text.splitlines()[line - 1].index(needle) + 1


def only_error(r, path, text, needle, message, line_needle=None):
    """-t failed with exactly one error, at needle, saying message."""
    assert_failed(r)
    line, col = place(text, needle, line_needle)
    assert error_lines(r) == [f"{path}:{line}:{col}: {message}"], r.stderr


def case_text(body):
    """A cases file with one case whose lines are body's."""
    return "# cases\ncases = (\n  { " + body + "\n  }\n);\n"


# -- syntax errors: what, where and the fix ----------------------------------

SYNTAX = [
    ('id = "A-1";\n    transferred = "2025-07-03"；', "；",
     "full-width '；' (U+FF1B): use ';'"),
    ('id = "A-1"，\n    transferred = "2025-07-03";', "，",
     "full-width '，' (U+FF0C): use ','"),
    ('id ＝ "A-1";\n    transferred = "2025-07-03";', "＝",
     "full-width '＝' (U+FF1D): use '='"),
    ('id ： "A-1";\n    transferred = "2025-07-03";', "：",
     "full-width '：' (U+FF1A): use ':'"),
    ('id = “A-1”;\n    transferred = "2025-07-03";', "“",
     "curly quote '“' (U+201C): use '\"'"),
    ('id = "A-1";\n    transferred\u3000= "2025-07-03";', "\u3000",
     "ideographic space (U+3000): use a plain space"),
    ('id = "A-1";\n    notify = ［ "log" ];\n    transferred = "2025-07-03";',
     "［", "full-width '［' (U+FF3B): use '['"),
    ('id = "A-1";\n    transferred = 2025-07-03;', "2025-07-03",
     'unquoted date 2025-07-03: write it in quotes, "2025-07-03"'),
    ('id = "A-1";\n    notify = [ "log", ];\n    transferred = "2025-07-03";',
     ",", "comma before ']': remove the ',' after the last item",
     ),
]


@pytest.mark.parametrize("body,needle,message", SYNTAX, ids=[
    "semicolon", "comma", "equals", "colon", "curly-quote",
    "ideographic-space", "bracket", "unquoted-date",
    "comma-before-bracket"])
def test_syntax_error_names_character_and_column(tmp_path, check, body,
                                                 needle, message):
    text = case_text(body)
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    line_needle = '"log", ]' if needle == "," else None
    only_error(r, tree.path("cases.d/a.conf"), text, needle, message,
               line_needle)


def test_chinese_key_names_the_keys_there_are(tmp_path, check):
    text = case_text('id = "A-1";\n    移送 = "2025-07-03";')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    line, col = place(text, "移送")
    (e,) = error_lines(r)
    # The case fields grow with the features; the events are the windows'.
    assert e.startswith(
        f"{tree.path('cases.d/a.conf')}:{line}:{col}: key '移送' is not ASCII: "
        "keys are ASCII names (a-z, 0-9, _); a case sets id, title, court, "
        "notify"), e
    assert e.endswith(f" and the events {EVENTS}"), e


@pytest.mark.parametrize("char,code", [("（", "FF08"), ("）", "FF09")])
def test_full_width_parentheses(tmp_path, check, char, code):
    text = cases_conf(case(id="A-1", transferred="2025-07-03"))
    text = text.replace("cases = (", "cases = （") if char == "（" else \
        text.replace(");", "）;")
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    ascii_ = "(" if char == "（" else ")"
    only_error(r, tree.path("cases.d/a.conf"), text, char,
               f"full-width '{char}' (U+{code}): use '{ascii_}'")


def test_string_closed_by_a_curly_quote(tmp_path, check):
    # The string runs on to the next '"'; libconfig stops lines later.
    text = case_text('id = "A-1”;\n    transferred = "2025-07-03";')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    only_error(r, tree.path("cases.d/a.conf"), text, "”",
               "curly quote '”' (U+201D): use '\"' (the string runs on "
               "past it)")


def test_no_value_after_equals(tmp_path, check):
    text = case_text('id = "A-1";\n    transferred = ;')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    only_error(r, tree.path("cases.d/a.conf"), text, "= ;",
               "no value after '=': write one (a date goes in quotes), or "
               "remove the setting")


def test_case_group_never_closed(tmp_path, check):
    text = ('cases = (\n  { id = "A-1";\n    transferred = "2025-07-03";'
            '\n);\n')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    only_error(r, tree.path("cases.d/a.conf"), text, ");",
               f"')' does not close the '{{' of line {line_of(text, 'A-1')}: "
               "use '}'")


def test_comma_after_the_last_case(tmp_path, check):
    # libconfig sees it at the ')' on the next line; the comma is named.
    text = cases_conf(case(id="A-1", transferred="2025-07-03")).replace(
        "\n  }\n);", "\n  },\n);")
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    line, col = place(text, "},")
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line}:{col + 1}: comma before ')': "
        "remove the ',' after the last item"], r.stderr


def test_unquoted_receiver_name(tmp_path, check):
    text = main_conf(notify="[ log ]")
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    only_error(r, tree.main, text, "log ]",
               'unquoted text log: write it in quotes, "log"', "notify =")


def test_unquoted_time_in_main_file(tmp_path, check):
    text = main_conf(notify_at=None, extra="notify_at = 09:00;")
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    only_error(r, tree.main, text, "09:00",
               'unquoted time 09:00: write it in quotes, "09:00"')


def test_chinese_key_in_main_file(tmp_path, check):
    text = main_conf(extra='时区 = "Asia/Shanghai";')
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    only_error(r, tree.main, text, "时区",
               "key '时区' is not ASCII: keys are ASCII names (a-z, 0-9, _); "
               "see deadlined.conf(5) for the keys")


def test_byte_order_mark_is_accepted(tmp_path, check):
    # Windows Notepad saves UTF-8 with one.
    bom = "\ufeff"
    tree = write_tree(tmp_path, main=bom + main_conf(), cases={
        "a.conf": bom + GOOD_CASES["a.conf"]})
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith("1 case,")


def test_byte_order_mark_keeps_line_numbers(tmp_path, check):
    text = "\ufeff" + cases_conf(case(id="A-1", transfered="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.path("cases.d/a.conf"), line_of(text, "transfered"),
                 "unknown key 'transfered'")


def test_syntax_error_without_a_known_cause_keeps_libconfig_words(tmp_path,
                                                                  check):
    text = case_text('id = "A-1";\n    transferred = "2025-07-03" "x" 1;')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line_of(text, 'transferred')}: "
        "syntax error"]


# -- a file that is not UTF-8 -------------------------------------------------

def test_gbk_file_is_one_error(tmp_path, check):
    text = cases_conf(
        case(id="(2025)沪0115执1234号", title="张某拒不执行判决",
             court="上海市浦东新区人民法院", transferred="2025-07-03"),
        case(id="(2025)沪0115执1235号", title="李某", transferred="2025-07-04"))
    tree = write_tree(tmp_path, cases={"a.conf": text.encode("gbk")})
    r = check(tree)
    assert_failed(r)
    line, col = place(text, "(2025)沪0115执1234号")
    col += len("(2025)")                      # the first byte of 沪
    first = "沪".encode("gbk")[0]
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line}:{col}: the file is not UTF-8 "
        f"(byte 0x{first:02X}): save it as UTF-8 (a GBK or GB18030 export "
        "can be converted with iconv -f GB18030 -t UTF-8)"], r.stderr


# -- did you mean -------------------------------------------------------------

def test_misspelt_event_suggests_the_event(tmp_path, check):
    text = cases_conf(case(id="A-1", transfered="2025-07-03"))
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line_of(text, 'transfered')}: "
        "unknown key 'transfered' in case \"A-1\": did you mean "
        "'transferred'?"]


def test_unknown_case_key_far_from_any(tmp_path, check):
    text = cases_conf(case(id="A-1", transferred="2025-07-03",
                           colour="2025-07-04"))
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line_of(text, 'colour')}: unknown "
        "key 'colour' in case \"A-1\" (not a case field nor an event of "
        "any window)"]


def test_window_name_as_a_case_key_names_its_events(tmp_path, check):
    text = cases_conf(case(id="A-1", transferred="2025-07-03",
                           decision="2025-07-08"))
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line_of(text, 'decision')}: "
        "unknown key 'decision' in case \"A-1\": 'decision' is a window; a "
        "case records its events: 'transferred' opens it, 'filed' or "
        "'not_filed' close it"]


def test_misspelt_key_suggests_the_key(tmp_path, check):
    text = main_conf(windows=windows_conf(days=None, dyas=7),
                     extra='notfy_at = "09:00";')
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(text, "dyas"),
                 "unknown key 'dyas' in window 'decision': did you mean "
                 "'days'?")
    assert_error(r, tree.main, line_of(text, "notfy_at"),
                 "unknown key 'notfy_at' in the main configuration: did you "
                 "mean 'notify_at'?")


def test_misspelt_receiver_suggests_and_lists(tmp_path, check):
    receivers = ('(\n  { name = "legal-mail"; type = "log"; },\n'
                 '  { name = "ops-hook"; type = "log"; }\n)')
    text = main_conf(receivers=receivers, notify='[ "legal-mial" ]')
    cases = cases_conf(case(id="A-1", transferred="2025-07-03",
                            notify=["pager"]))
    tree = write_tree(tmp_path, main=text, cases={"a.conf": cases})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.main}:{line_of(text, 'legal-mial')}: unknown receiver "
        "'legal-mial' in 'notify': did you mean 'legal-mail'? (receivers: "
        "legal-mail, ops-hook)",
        f"{tree.path('cases.d/a.conf')}:{line_of(cases, 'pager')}: unknown "
        "receiver 'pager' in 'notify' (receivers: legal-mail, ops-hook)"]


def test_duplicate_setting_names_the_key(tmp_path, check):
    text = case_text('id = "A-1";\n    transferred = "2025-07-03";\n'
                     '    id = "A-2";')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    only_error(r, tree.path("cases.d/a.conf"), text, 'id = "A-2"',
               f"duplicate setting 'id' (first set at line "
               f"{line_of(text, 'A-1')}): a group sets each key once")


# -- impossible dates say why -------------------------------------------------

@pytest.mark.parametrize("date,why", [
    ("2026-11-31", "November has 30 days"),
    ("2025-02-29", "2025 is not a leap year"),
    ("2025-04-31", "April has 30 days"),
    ("2025-13-01", "there is no month 13"),
    ("2025-7-3", "write dates as YYYY-MM-DD, 2025-07-03"),
    ("2025-07-0３", "full-width '３' (U+FF13): use '3'"),
])
def test_impossible_date_says_why(tmp_path, check, date, why):
    text = cases_conf(case(id="A-1", transferred=date))
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.path('cases.d/a.conf')}:{line_of(text, date)}: "
        f"'transferred': '{date}' is not a valid date: {why}"]


def test_impossible_holiday_says_why(tmp_path, check):
    cal = '{\n  holidays = [ "2026-11-31" ];\n}'
    text = main_conf(calendar=cal)
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(text, "2026-11-31"),
                 "'2026-11-31' is not a valid date: November has 30 days")


# -- integers as written ------------------------------------------------------

@pytest.mark.parametrize("literal", ["4294967303", "4294967303L",
                                     "0x100000007", "-4294967289",
                                     "99999999999999999999"])
def test_integer_checked_as_written(tmp_path, check, literal):
    # libconfig 1.5 reads 4294967303 through atoi: it would be 7.
    text = main_conf(windows=windows_conf(days=None).replace(
        "    opens", f"    days = {literal};\n    opens", 1))
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.main}:{line_of(text, literal)}: 'days' must be between 1 "
        f"and 3650, not {literal}"]


def test_hex_integer_in_range_is_fine(tmp_path, check):
    text = main_conf(windows=windows_conf(days=None).replace(
        "    opens", "    days = 0x7;\n    opens", 1))
    r = check(write_tree(tmp_path, main=text, cases=GOOD_CASES))
    assert r.returncode == 0, r.stderr


def test_reminder_day_checked_as_written(tmp_path, check):
    rem = "{\n  before = [ 3,\n              4294967297 ];\n}"
    text = main_conf(reminders=rem)
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(text, "4294967297"),
                 "'before' must hold positive numbers of days")


def test_timeout_checked_as_written(tmp_path, check):
    receivers = '(\n  { name = "log"; type = "log";\n    timeout = 4294967326; }\n)'
    text = main_conf(receivers=receivers)
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert error_lines(r) == [
        f"{tree.main}:{line_of(text, 'timeout')}: 'timeout' must be between "
        "1 and 3600, not 4294967326"]


# -- NUL in a string ----------------------------------------------------------

def test_nul_escape_in_a_string(tmp_path, check):
    # libconfig 1.5 drops "\x00" without a word: "A\x00-1" would be "A-1".
    text = case_text('id = "A\\x00-1";\n    transferred = "2025-07-03";')
    tree = write_tree(tmp_path, cases={"a.conf": text})
    r = check(tree)
    only_error(r, tree.path("cases.d/a.conf"), text, "\\x00",
               "\\x00 in a string: a string cannot hold a NUL character; "
               "remove it")


# -- --list reads no secret ---------------------------------------------------

HOOK_RECEIVERS = """(
  { name = "log"; type = "log"; },
  { name = "hook"; type = "webhook";
    url = "https://hooks.example.org/deadlines";
    secret_file = "secrets/hook"; }
)"""


def test_list_without_the_secret_file(tmp_path, run):
    tree = write_tree(tmp_path, main=main_conf(receivers=HOOK_RECEIVERS),
                      cases=GOOD_CASES)
    r = run("--list", "-c", tree.main, "--now", "2025-07-05T10:00")
    assert r.returncode == 0, r.stderr
    assert "A-1" in r.stdout and r.stderr == ""
    r = run("-t", "-c", tree.main)
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "secret_file"),
                 f"cannot read secret_file '{tree.path('secrets/hook')}'")


def test_list_as_a_user_who_cannot_read_the_secret(run):
    # A clerk may list; only the service reads the secrets.  The tree is
    # outside pytest's root-only tmp_path so that nobody can read it.
    root = tempfile.mkdtemp(prefix="deadlined-errors-")
    try:
        os.chmod(root, 0o755)
        tree = write_tree(root, main=main_conf(receivers=HOOK_RECEIVERS),
                          cases=GOOD_CASES,
                          files={"secrets/hook": "s3cr3t\n"})
        for dirpath, dirs, files in os.walk(root):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o755)
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o644)
        tree.path("secrets/hook").chmod(0)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534",
                     "--clear-groups"] if os.getuid() == 0 else []
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
        binary = os.environ["DEADLINED"]
        listed = subprocess.run(
            as_nobody + [binary, "--list", "-c", str(tree.main), "--now",
                         "2025-07-05T10:00"],
            capture_output=True, text=True, env=env, timeout=30)
        assert listed.returncode == 0, listed.stderr
        assert "A-1" in listed.stdout
        checked = subprocess.run(as_nobody + [binary, "-t", "-c",
                                              str(tree.main)],
                                 capture_output=True, text=True, env=env,
                                 timeout=30)
        for p in (listed, checked):
            assert sanitizer_report(p.stderr) is None, p.stderr
        assert checked.returncode == 1, checked.stdout
        assert "cannot read secret_file" in checked.stderr
        assert "Permission denied" in checked.stderr
        assert "s3cr3t" not in listed.stdout + checked.stderr
    finally:
        shutil.rmtree(root)


def test_missing_credential_says_how_to_check_it(tmp_path, check):
    unit = "deadlined-test-errors.service"
    assert not os.path.exists(f"/run/credentials/{unit}")
    receivers = HOOK_RECEIVERS.replace(
        "secrets/hook", f"/run/credentials/{unit}/hook")
    tree = write_tree(tmp_path, main=main_conf(receivers=receivers),
                      cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(
        r, tree.main, tree.line("deadlined.conf", "secret_file"),
        f"cannot read secret_file '/run/credentials/{unit}/hook': No such "
        f"file or directory ({unit} is not running: its credentials are in "
        f"/run/credentials/{unit} only while it runs; `systemctl start "
        f"{unit}` checks them, as deadlined -t runs first (ExecStartPre=), "
        f"and once it runs `systemctl reload {unit}` does; errors are in "
        f"`journalctl -u {unit}`)")


def test_credential_missing_from_a_running_service(tmp_path, check):
    # $CREDENTIALS_DIRECTORY is set (as under the service), the file is
    # not there: the unit lacks its LoadCredential=.
    creds = tmp_path / "creds"
    creds.mkdir()
    receivers = HOOK_RECEIVERS.replace("secrets/hook", f"{creds}/hook")
    tree = write_tree(tmp_path, main=main_conf(receivers=receivers),
                      cases=GOOD_CASES)
    r = check(tree, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert_failed(r)
    assert_error(r, tree.main, tree.line("deadlined.conf", "secret_file"),
                 "(creds has no credential 'hook': add "
                 "LoadCredential=hook:FILE to it with `systemctl edit creds`)")


@pytest.mark.parametrize("flag", ["--test-receiver", "--resend"])
def test_command_line_receiver_suggests_and_lists(tmp_path, run, flag):
    tree = write_tree(tmp_path, main=main_conf(receivers=HOOK_RECEIVERS.replace(
        'secret_file = "secrets/hook"; ', "")), cases=GOOD_CASES)
    r = run("-c", tree.main, flag, "hoook")
    assert r.returncode == 1
    assert r.stderr == (f"deadlined: no receiver named 'hoook' in {tree.main}: "
                        "did you mean 'hook'? (receivers: log, hook)\n")


def test_rate_count_checked_as_written(tmp_path, check):
    # sscanf's %d would read 4294967316 as 20.
    receivers = '(\n  { name = "log"; type = "log";\n    rate = "4294967316/min"; }\n)'
    text = main_conf(receivers=receivers)
    tree = write_tree(tmp_path, main=text, cases=GOOD_CASES)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(text, "rate"),
                 "'rate' must look like \"20/min\"")
