"""Shared helpers for the integration tests of deadlined.

The tests run the real binary named by $DEADLINED (the Makefile's
`integration` target sets it to build/deadlined or build/san/deadlined)
against configuration trees written into pytest's tmp_path:

    tree = write_tree(tmp_path, main=main_conf(), cases={"a.conf": ...})
    r = run("-t", "-c", tree.main)

Every run is bounded by a timeout and fails the test on any sanitizer
report or a death by signal, so each test also checks memory safety.
"""
import os
import pathlib
import re
import subprocess
from dataclasses import dataclass, field

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TIMEOUT = 30  # seconds; a run normally takes well under one

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def _binary():
    path = os.environ.get("DEADLINED")
    if not path:
        pytest.exit("set DEADLINED to the deadlined binary "
                    "(make SAN=1 integration does)", returncode=2)
    if not os.access(path, os.X_OK):
        pytest.exit(f"DEADLINED={path} is not an executable", returncode=2)
    return path


# -- writing configuration -------------------------------------------------

class Raw(str):
    """A value written into libconfig text as is (not quoted)."""


def render(value):
    """A Python value as libconfig text: str quoted, Raw as is."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[ " + ", ".join(render(v) for v in value) + " ]"
    raise TypeError(f"cannot render {value!r}")


DEFAULT_CALENDAR = """{
  weekend  = [ "sat", "sun" ];
  holidays = [ "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04",
               "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08" ];
  workdays = [ "2025-09-28", "2025-10-11" ];
  roll     = "next_working_day";
}"""

def windows_conf(**decision):
    """The windows group: `decision` (fields overridden by keyword, None
    leaves one out, one field per line) and a fixed `reasons` window."""
    fields = dict(title="Police decision on opening a case",
                  opens="transferred", closes=["filed", "not_filed"],
                  days=7, extended_days=30, extended_by="extended")
    fields.update(decision)
    body = "".join(f"    {k} = {render(v)};\n"
                   for k, v in fields.items() if v is not None)
    return ("{\n  decision = {\n" + body + "  };\n"
            "  reasons = { title = \"Written reasons for not opening a case\";\n"
            "              opens = \"not_filed\"; closes = [ \"reasons_received\" ];\n"
            "              days = 7; };\n}")


DEFAULT_WINDOWS = windows_conf()

DEFAULT_REMINDERS = """{
  before        = [ 3, 1 ];
  on_due_day    = true;
  overdue_every = 1;
  overdue_max   = 30;
}"""

DEFAULT_RECEIVERS = """(
  { name = "log"; type = "log"; }
)"""


def main_conf(timezone="Asia/Shanghai", cases_dir="cases.d",
              notify_at="09:00", calendar=DEFAULT_CALENDAR,
              windows=DEFAULT_WINDOWS, reminders=DEFAULT_REMINDERS,
              receivers=DEFAULT_RECEIVERS, notify='[ "log" ]', extra=""):
    """A valid main file, one setting per line; pass None to leave a
    setting out, or text to replace it (groups and lists as raw text)."""
    lines = ["# written by tests/integration"]
    for key, value in (("timezone", timezone), ("cases_dir", cases_dir),
                       ("notify_at", notify_at)):
        if value is not None:
            lines.append(f"{key} = {render(value)};")
    for key, text in (("calendar", calendar), ("windows", windows),
                      ("reminders", reminders), ("receivers", receivers),
                      ("notify", notify)):
        if text is not None:
            lines.append(f"{key} = {text};")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def case(**fields):
    """One case group, each field on a line of its own (so that each has a
    line number of its own); the group starts on the first field's line."""
    items = [f"{k} = {render(v)};" for k, v in fields.items()]
    return "  { " + "\n    ".join(items) + "\n  }"


def cases_conf(*cases):
    """A cases file holding the given case groups."""
    return "# cases\ncases = (\n" + ",\n".join(cases) + "\n);\n"


def holidays_conf(holidays=(), workdays=(), extra=""):
    """A holiday file, one date per line."""
    def block(key, dates):
        items = ",\n".join(f"  {render(d)}" for d in dates)
        return f"{key} = [\n{items}\n];\n"
    return ("# holidays\n" + block("holidays", holidays) +
            block("workdays", workdays) + extra)


def line_of(text, needle):
    """The 1-based number of the only line of text containing needle."""
    hits = [i for i, line in enumerate(text.splitlines(), 1)
            if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}, not one line"
    return hits[0]


@dataclass
class Tree:
    """A configuration tree on disk."""
    root: pathlib.Path
    main: pathlib.Path
    cases_dir: pathlib.Path
    texts: dict = field(default_factory=dict)  # relative path -> text

    def path(self, rel):
        return self.root / rel

    def line(self, rel, needle):
        """The line of file rel (relative to root) holding needle."""
        return line_of(self.texts[rel], needle)


def _write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def write_tree(root, main=None, cases=None, holidays=None, files=None,
               main_name="deadlined.conf"):
    """Write a configuration tree under root and return it.

    main: the main file's text (default main_conf()); cases: {name: text}
    for cases.d/; holidays: {name: text} for holidays/; files: {relative
    path: text or bytes} for anything else (secrets, stray files).
    """
    root = pathlib.Path(root)
    texts = {main_name: main if main is not None else main_conf()}
    for name, text in (cases or {}).items():
        texts[f"cases.d/{name}"] = text
    for name, text in (holidays or {}).items():
        texts[f"holidays/{name}"] = text
    texts.update(files or {})
    (root / "cases.d").mkdir(parents=True, exist_ok=True)
    for rel, content in texts.items():
        _write(root / rel, content)
    return Tree(root=root, main=root / main_name, cases_dir=root / "cases.d",
                texts=texts)


# -- running the binary ----------------------------------------------------

def sanitizer_report(text):
    """The first sanitizer line in text, or None."""
    for line in text.splitlines():
        if any(mark in line for mark in SANITIZER_MARKS):
            return line
    return None


@pytest.fixture
def run():
    """run(*args, env=None, cwd=None) runs deadlined and returns the
    CompletedProcess (text, UTF-8 with replacement; raw bytes in
    .stdout_bytes and .stderr_bytes).  env adds to or (value None)
    removes from the inherited environment.  Fails the test on a timeout,
    a signal or a sanitizer report."""
    binary = _binary()

    def _run(*args, env=None, cwd=None, timeout=TIMEOUT):
        full_env = dict(os.environ)
        full_env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        argv = [binary, *map(str, args)]
        try:
            cp = subprocess.run(argv, capture_output=True, env=full_env,
                                cwd=cwd, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            pytest.fail(f"timed out after {timeout}s: {argv}")
        out = cp.stdout.decode("utf-8", "replace")
        err = cp.stderr.decode("utf-8", "replace")
        report = sanitizer_report(err)
        if report is not None:
            pytest.fail(f"sanitizer report from {argv}:\n{err}")
        if cp.returncode < 0:
            pytest.fail(f"killed by signal {-cp.returncode}: {argv}\n{err}")
        result = subprocess.CompletedProcess(argv, cp.returncode, out, err)
        result.stdout_bytes = cp.stdout
        result.stderr_bytes = cp.stderr
        return result

    return _run


@pytest.fixture
def check(run):
    """check(tree, **kw): deadlined -t -c tree.main."""
    def _check(tree, **kw):
        return run("-t", "-c", tree.main, **kw)
    return _check


def error_lines(result):
    """The non-empty lines of stderr."""
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_error(result, path, line, phrase):
    """stderr has a line "PATH:LINE: ..." (or "PATH:LINE:COLUMN: ...")
    that contains phrase."""
    prefix = f"{path}:{line}: "
    lines = error_lines(result)
    with_column = re.compile(re.escape(f"{path}:{line}:") + r"\d+: ")
    hits = [e for e in lines if e.startswith(prefix) or with_column.match(e)]
    assert hits, f"no error at {prefix!r}; stderr:\n" + "\n".join(lines)
    assert any(phrase in e for e in hits), (
        f"errors at {prefix!r} do not say {phrase!r}:\n" + "\n".join(hits))


def assert_failed(result):
    """A -t run that found errors: exit 1, nothing claimed ok."""
    assert result.returncode == 1, result.stderr
    assert "ok" not in result.stdout.split(), result.stdout
