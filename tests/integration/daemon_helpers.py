"""Helpers for the integration tests of the running daemon.

The tests start the real binary named by $DEADLINED against a
configuration tree in pytest's tmp_path and let it talk to real peers on
127.0.0.1, each on an ephemeral port:

    HookServer  an HTTP receiver (http.server in a thread) that records
                every request and answers from a script
    SmtpSink    an aiosmtpd SMTP server that records every message
    Daemon      one deadlined process: stderr read in a thread, waits on
                log lines with a timeout, signals, and a kill at teardown

Import what you use explicitly; the fixtures `hook`, `smtp` and `spawn`
are defined here and must be imported into a test module to be seen:

    from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

Every wait has a timeout.  A daemon whose stderr holds a sanitizer report
or one of the secrets below fails the test that ran it.
"""
import asyncio
import email.parser
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest

from conftest import render

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

# Secrets the tests hand the daemon; none may ever appear on its stderr.
HOOK_SECRET = "hook-secret-5e1f0c7a9b"
HOOK_SECRET_2 = "hook-secret-2-d4c3b2a1"
SMTP_USER = "deadlined"
SMTP_PASSWORD = "smtp-pass-8a7b6c5d4e"
URL_TOKEN = "tok-3f9e2d1c0b"
SECRETS = (HOOK_SECRET, HOOK_SECRET_2, SMTP_PASSWORD, URL_TOKEN)

# The case most tests use: transferred on Thursday 2025-07-03, so its
# decision window has its deadline on Thursday 2025-07-10, reminders on
# 07-07 and 07-09 at 09:00, the due alert on 07-10 at 09:00, and overdue
# alerts from 07-11 on.
CASE_ID = "(2025)沪0115执1234号"
CASE_TITLE = "Zhang v. Li: refusal to comply"
CASE_COURT = "Shanghai Pudong New Area People's Court"
DECISION_TITLE = "Police decision on opening a case"
REASONS_TITLE = "Written reasons for not opening a case"

DEFAULT_TIMEOUT = 10.0


def binary():
    path = os.environ.get("DEADLINED")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set DEADLINED to the deadlined binary "
                    "(make SAN=1 integration does)")
    return path


# -- configuration ---------------------------------------------------------

# A Python value as libconfig text: the same rendering as conftest's.
q = render


WINDOWS = f"""windows = {{
  decision = {{ title = {q(DECISION_TITLE)};
               opens = "transferred"; closes = [ "filed", "not_filed" ];
               days = 7; extended_days = 30; extended_by = "extended"; }};
  reasons  = {{ title = {q(REASONS_TITLE)};
               opens = "not_filed"; closes = [ "reasons_received" ];
               days = 7; }};
}};"""

REMINDERS = """reminders = {
  before        = [ 3, 1 ];
  on_due_day    = true;
  overdue_every = 1;
  overdue_max   = 30;
};"""

# The same counted in calendar days, as deadlined 0.1 placed them: for
# tests about something else whose dates fall on a weekend.
REMINDERS_CALENDAR_DAYS = REMINDERS.replace(
    "reminders = {", 'reminders = {\n  on            = "calendar_days";')

CALENDAR = """calendar = {
  weekend  = [ "sat", "sun" ];
  roll     = "next_working_day";
};"""


def webhook_receiver(name, url, secret_file=None, headers=None,
                     timeout=None):
    items = [f"name = {q(name)}", 'type = "webhook"', f"url = {q(url)}",
             'format = "json"']
    if secret_file is not None:
        items.append(f"secret_file = {q(secret_file)}")
    if headers:
        items.append(f"headers = {q(list(headers))}")
    if timeout is not None:
        items.append(f"timeout = {timeout}")
    return "{ " + "; ".join(items) + "; }"


def chat_receiver(name, url, fmt, msgtype=None, secret_file=None,
                  at_mobiles=None, at_all=None, language=None,
                  group_wait=None, rate=None, headers=None):
    """A webhook receiver in a chat robot's format ("dingtalk", "wecom",
    "feishu", "slack" or "teams"); None leaves a key out."""
    items = [f"name = {q(name)}", 'type = "webhook"', f"format = {q(fmt)}",
             f"url = {q(url)}"]
    for key, value in (("msgtype", msgtype), ("secret_file", secret_file),
                       ("at_mobiles", at_mobiles), ("at_all", at_all),
                       ("language", language), ("group_wait", group_wait),
                       ("rate", rate), ("headers", headers)):
        if isinstance(value, tuple):
            value = list(value)
        if value is not None:
            items.append(f"{key} = {q(value)}")
    return "{ " + "; ".join(items) + "; }"


def email_receiver(name, url, to, sender="deadlined@example.org",
                   tls="none", username=None, password_file=None):
    items = [f"name = {q(name)}", 'type = "email"', f"url = {q(url)}"]
    if tls is not None:
        items.append(f"tls = {q(tls)}")
    if username is not None:
        items.append(f"username = {q(username)}")
    if password_file is not None:
        items.append(f"password_file = {q(password_file)}")
    items += [f"from = {q(sender)}", f"to = {q(list(to))}"]
    return "{ " + "; ".join(items) + "; }"


def log_receiver(name="log"):
    return f'{{ name = {q(name)}; type = "log"; }}'


def case(case_id=CASE_ID, title=CASE_TITLE, court=CASE_COURT, notify=None,
         **events):
    """One case group; each field on its own line."""
    items = [f"id = {q(case_id)};"]
    if title is not None:
        items.append(f"title = {q(title)};")
    if court is not None:
        items.append(f"court = {q(court)};")
    items += [f"{k} = {q(v)};" for k, v in events.items()]
    if notify is not None:
        items.append(f"notify = {q(list(notify))};")
    return "  { " + "\n    ".join(items) + " }"


def cases_file(*cases):
    return "cases = (\n" + ",\n".join(cases) + "\n);\n"


@dataclass
class Tree:
    root: pathlib.Path
    main: pathlib.Path
    cases_dir: pathlib.Path
    state_dir: pathlib.Path

    @property
    def outbox(self):
        return self.state_dir / "outbox.db"

    def load_outbox(self, fixture):
        """Make the outbox from tests/integration/data/<fixture> (an
        outbox an earlier deadlined wrote, as SQL); its connection."""
        sql = (pathlib.Path(__file__).parent / "data" / fixture) \
            .read_text(encoding="utf-8")
        self.state_dir.mkdir()
        con = sqlite3.connect(self.outbox)
        con.executescript(sql)
        return con

    def write_case_file(self, name, text):
        path = self.cases_dir / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    def deliveries(self):
        """Every row of the outbox's deliveries joined with its alert."""
        return outbox_rows(self.outbox)

    def messages_pending(self):
        """How many messages the pending deliveries are noted with (set
        up, and not yet recorded as sent)."""
        con = sqlite3.connect(f"file:{self.outbox}?mode=ro", uri=True)
        try:
            return con.execute(
                "SELECT count(DISTINCT message) FROM deliveries"
                " WHERE state = 'pending' AND message IS NOT NULL"
            ).fetchone()[0]
        finally:
            con.close()

    def wait_states(self, states, timeout=5):
        """Wait until the deliveries' states, in row order, are states
        (the log line of an outcome comes just before its commit);
        return the rows."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.deliveries()
            if [r["state"] for r in rows] == list(states):
                return rows
            if time.monotonic() >= deadline:
                raise AssertionError(f"outbox deliveries are {rows}, "
                                     f"wanted states {list(states)}")
            time.sleep(0.05)


def make_tree(root, receivers, notify, cases, retry=None, secrets=None,
              notify_at="09:00", extra="", calendar=CALENDAR,
              timezone="Asia/Shanghai", reminders=REMINDERS,
              windows=WINDOWS):
    """Write a configuration tree under root: the main file with the
    given receivers (texts) and default notify list, cases {file name:
    text}, secrets {relative path: text}, calendar (the whole setting's
    text), and state in root/state."""
    root = pathlib.Path(root)
    (root / "cases.d").mkdir(parents=True, exist_ok=True)
    for rel, text in (secrets or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    lines = [
        f"timezone  = {q(timezone)};",
        'state_dir = "state";',
        'cases_dir = "cases.d";',
        f"notify_at = {q(notify_at)};",
        calendar, windows, reminders,
        "receivers = (\n  " + ",\n  ".join(receivers) + "\n);",
        f"notify = {q(list(notify))};",
    ]
    if retry is not None:
        lines.append("retry = { first = %d; max = %d; };" % retry)
    if extra:
        lines.append(extra)
    main = root / "deadlined.conf"
    main.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tree = Tree(root=root, main=main, cases_dir=root / "cases.d",
                state_dir=root / "state")
    for name, text in cases.items():
        tree.write_case_file(name, text)
    return tree


def outbox_rows(path):
    """[{alert_id, receiver, state, attempts, last_status, last_error,
    kind, case_id, window}] from the outbox at path, read with sqlite3."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        con.row_factory = sqlite3.Row
        rows = con.execute(
            "SELECT d.alert_id, d.receiver, d.state, d.attempts,"
            " d.last_status, d.last_error, a.kind, a.case_id, a.window"
            " FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
            " ORDER BY d.rowid").fetchall()
        return [dict(r) for r in rows]
    finally:
        con.close()


# -- waiting ---------------------------------------------------------------

def wait_until(predicate, timeout=DEFAULT_TIMEOUT, interval=0.05,
               message="condition"):
    """Poll predicate until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for "
                                 f"{message}")
        time.sleep(interval)


# -- the HTTP receiver -----------------------------------------------------

@dataclass
class Reply:
    """How the receiver answers one request.  delay: seconds to sleep
    first; align: then wait until the fractional part of the wall clock's
    second is at least this (to answer late in a second)."""
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok\n"
    delay: float = 0.0
    align: float = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict          # lower-case name -> value
    header_list: list      # [(name, value)] as sent
    body: bytes
    arrived: float         # time.monotonic()
    arrived_wall: float    # time.time()
    reply: Reply = None
    responded: float = None  # time.monotonic() once the answer was sent

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def alerts(self):
        return self.json.get("alerts", [])

    def header(self, name):
        return self.headers.get(name.lower())


class _HookHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"   # one request per connection

    def log_message(self, fmt, *args):  # quiet
        pass

    def _handle(self):
        hook = self.server.hook
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        req = Request(method=self.command, path=self.path,
                      headers={k.lower(): v for k, v in self.headers.items()},
                      header_list=list(self.headers.items()), body=body,
                      arrived=time.monotonic(), arrived_wall=time.time())
        reply = hook._record(req)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.align is not None:
            frac = time.time() % 1.0
            if frac < reply.align:
                time.sleep(reply.align - frac)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            pass    # the daemon went away (SIGKILL tests)
        finally:
            req.responded = time.monotonic()
            with hook.cond:
                hook.cond.notify_all()

    do_POST = do_GET = do_PUT = _handle


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class HookServer:
    """An HTTP receiver on 127.0.0.1:<ephemeral>.  script: a list of
    Reply used in order, then default (200).  responder, if set, is
    called with each Request and returns its Reply instead."""

    def __init__(self):
        self.requests = []
        self.script = []
        self.default = Reply()
        self.responder = None
        self.cond = threading.Condition()
        self.server = _QuietServer(("127.0.0.1", 0), _HookHandler)
        self.server.hook = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path="/hook", token=URL_TOKEN):
        url = f"http://127.0.0.1:{self.port}{path}"
        return url + (f"?token={token}" if token else "")

    def _record(self, req):
        with self.cond:
            if self.responder is not None:
                reply = self.responder(req)
            elif self.script:
                reply = self.script.pop(0)
            else:
                reply = self.default
            req.reply = reply
            self.requests.append(req)
            self.cond.notify_all()
        return reply

    def snapshot(self, path_prefix=None):
        with self.cond:
            reqs = list(self.requests)
        if path_prefix is not None:
            reqs = [r for r in reqs if r.path.startswith(path_prefix)]
        return reqs

    def wait_requests(self, n, timeout=DEFAULT_TIMEOUT, path_prefix=None):
        """Wait for at least n requests (to paths starting with
        path_prefix); return them all."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                reqs = [r for r in self.requests if path_prefix is None or
                        r.path.startswith(path_prefix)]
                if len(reqs) >= n:
                    return reqs
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"HTTP receiver: {len(reqs)} requests to "
                        f"{path_prefix or 'any path'} after {timeout}s, "
                        f"wanted {n}: {[r.path for r in reqs]}")
                self.cond.wait(left)

    def wait_answered(self, n, timeout=DEFAULT_TIMEOUT):
        """Wait until at least n requests have been answered."""
        return wait_until(lambda: sum(r.responded is not None for r in
                                      self.snapshot()) >= n,
                          timeout, message=f"{n} answered requests")

    def wait_alerts(self, n, timeout=DEFAULT_TIMEOUT, path_prefix=None):
        """Wait for at least n alerts in all (so digests count by their
        alerts) answered requests; return [(request, alert)]."""
        def enough():
            got = [(r, a) for r, a in self.alerts(path_prefix)
                   if r.responded is not None]
            return got if len(got) >= n else None
        try:
            return wait_until(enough, timeout)
        except AssertionError:
            raise AssertionError(
                f"HTTP receiver: {len(self.alerts(path_prefix))} alerts "
                f"after {timeout}s, wanted {n}: "
                f"{[(a['kind'], a['case']['id']) for _, a in self.alerts()]}"
            ) from None

    def alerts(self, path_prefix=None):
        """Every alert of every request, flattened, with its request:
        [(request, alert)]."""
        return [(r, a) for r in self.snapshot(path_prefix) for a in r.alerts]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body,
                                hashlib.sha256).hexdigest()


# -- the SMTP receiver -----------------------------------------------------

@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list
    data: bytes
    arrived: float
    login: bytes = None
    password: bytes = None

    @property
    def message(self):
        return email.parser.BytesParser(policy=email.policy.default) \
            .parsebytes(self.data)


class _SmtpHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address in self.sink.refuse:
            return self.sink.refuse_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        login = password = None
        if session.auth_data is not None:
            login = getattr(session.auth_data, "login", None)
            password = getattr(session.auth_data, "password", None)
        self.sink._record(Mail(mail_from=envelope.mail_from,
                               rcpt_tos=list(envelope.rcpt_tos), data=data,
                               arrived=time.monotonic(), login=login,
                               password=password))
        return self.sink.data_reply


class _Authenticator:
    """Accept SMTP_USER with SMTP_PASSWORD, and nothing else."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        ok = (getattr(auth_data, "login", None) == SMTP_USER.encode() and
              getattr(auth_data, "password", None) == SMTP_PASSWORD.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class SmtpSink:
    """aiosmtpd on 127.0.0.1:<ephemeral>, plain (no TLS), offering AUTH
    PLAIN/LOGIN for SMTP_USER / SMTP_PASSWORD without requiring it.
    Addresses put in .refuse are refused with 550 at RCPT TO."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.mails = []         # every message, accepted or not
        self.data_reply = "250 OK"  # the answer to the end of DATA
        self.refuse = set()     # addresses refused at RCPT, with:
        self.refuse_reply = "550 5.1.1 no such mailbox here"
        self.cond = threading.Condition()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]

        class _BoundController(Controller):
            # Serve on the socket bound above: port 0 cannot be handed to
            # aiosmtpd 1.4, which connects to its own port once started.
            def _create_server(inner):
                return inner.loop.create_server(inner._factory_invoker,
                                                sock=sock)

        self.controller = _BoundController(
            _SmtpHandler(self), hostname="127.0.0.1", port=self.port,
            authenticator=_Authenticator(), auth_require_tls=False,
            auth_required=False, ready_timeout=5)
        self.controller.start()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def _record(self, mail):
        with self.cond:
            self.mails.append(mail)
            self.cond.notify_all()

    def wait_mails(self, n, timeout=DEFAULT_TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.mails) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"SMTP receiver: {len(self.mails)} "
                                         f"messages after {timeout}s, "
                                         f"wanted {n}")
                self.cond.wait(left)
            return list(self.mails)

    def close(self):
        try:
            self.controller.stop()
        except (AssertionError, RuntimeError, asyncio.CancelledError):
            pass


# -- the daemon ------------------------------------------------------------

class Daemon:
    """One deadlined process.  stderr is read line by line in a thread;
    wait_line waits for a log line; close (called at teardown) kills it
    if it still runs and checks its stderr."""

    def __init__(self, tree, now=None, args=(), env=None, verbose=True):
        self.tree = tree
        self.argv = [binary()]
        if verbose:
            self.argv.append("-v")
        self.argv += ["-c", str(tree.main)]
        if now is not None:
            self.argv += ["--now", now]
        self.argv += [str(a) for a in args]
        full_env = dict(os.environ)
        for key in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC",
                    "WATCHDOG_PID"):
            full_env.pop(key, None)
        full_env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        full_env.update(env or {})
        self.lines = []
        self.cond = threading.Condition()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=full_env,
                                     cwd=str(tree.root))
        self.pid = self.proc.pid
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)     # end of stream
            self.cond.notify_all()

    @property
    def text(self):
        with self.cond:
            return "\n".join(x for x in self.lines if x is not None)

    def mark(self):
        """A position in the log: wait_line(..., since=mark) looks only
        at lines after it."""
        with self.cond:
            return len(self.lines)

    def grep(self, pattern, since=0):
        rx = re.compile(pattern)
        with self.cond:
            return [m for x in self.lines[since:] if x is not None
                    for m in [rx.search(x)] if m]

    def wait_line(self, pattern, timeout=DEFAULT_TIMEOUT, since=0):
        """Wait for a stderr line matching the regex; its match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    i += 1
                    if line is None:
                        raise AssertionError(
                            f"deadlined exited before logging {pattern!r}; "
                            f"stderr:\n{self._text_locked()}")
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no line matching {pattern!r} after {timeout}s; "
                        f"stderr:\n{self._text_locked()}")
                self.cond.wait(left)

    def wait_lines(self, pattern, n, timeout=DEFAULT_TIMEOUT, since=0):
        """Wait for n stderr lines matching the regex; their matches."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.grep(pattern, since)
            if len(found) >= n:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{len(found)} lines matching {pattern!r} after "
                    f"{timeout}s, wanted {n}; stderr:\n{self.text}")
            time.sleep(0.05)

    def _text_locked(self):
        return "\n".join(x for x in self.lines if x is not None)

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"deadlined still runs after {timeout}s; "
                                 f"stderr:\n{self.text}") from None
        self.reader.join(timeout=5)
        return rc

    def stop(self, timeout=DEFAULT_TIMEOUT):
        """SIGTERM; it must exit 0 with a clean stderr."""
        self.signal(signal.SIGTERM)
        rc = self.wait_exit(timeout)
        assert rc == 0, f"exit status {rc} after SIGTERM; stderr:\n{self.text}"
        self.assert_clean()
        return rc

    def kill(self):
        """SIGKILL, and reap it."""
        if self.running():
            self.proc.kill()
        self.proc.wait(timeout=DEFAULT_TIMEOUT)
        self.reader.join(timeout=5)

    def assert_clean(self):
        """No sanitizer report and no secret on stderr."""
        text = self.text
        for mark in SANITIZER_MARKS:
            assert mark not in text, f"sanitizer report:\n{text}"
        for secret in SECRETS:
            assert secret not in text, (
                f"stderr shows a secret ({secret!r}):\n{text}")

    def close(self):
        if self.running():
            self.kill()
        else:
            self.reader.join(timeout=5)
        self.proc.stderr.close()


# -- fixtures (import them into the test module that uses them) ------------

@pytest.fixture
def hook():
    server = HookServer()
    yield server
    server.close()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def spawn():
    """spawn(tree, now=None, args=(), env=None) starts a Daemon; every one
    is killed at teardown, and its stderr checked."""
    started = []

    def _spawn(tree, **kw):
        d = Daemon(tree, **kw)
        started.append(d)
        return d

    yield _spawn
    problems = []
    for d in started:
        d.close()
        # Shown by pytest only when the test fails.
        print(f"--- stderr of deadlined (pid {d.pid}):")
        print(d.text)
        try:
            d.assert_clean()
        except AssertionError as e:
            problems.append(str(e))
    if problems:
        pytest.fail("\n\n".join(problems))
