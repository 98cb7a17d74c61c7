"""nginx.py -- a local nginx for the benchmarks: one instance, its own
prefix, configuration, pid file and error log in a temporary directory,
in the foreground (`daemon off;`), on 127.0.0.1 at an ephemeral port.

    with Nginx(status=204) as ng:       # or 503 for an outage
        url = ng.url("/hook")

Every request gets `return <status>;`; the access log is off unless
access_log=True, which writes `$msec $status $request_length` lines to
ng.access_log.
"""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """\
daemon off;
master_process on;
worker_processes {workers};
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_body_buffer_size 1m;
    client_max_body_size 16m;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    log_format bench '$msec $status $request_length';
    {access}
    server {{
        listen 127.0.0.1:{port} reuseport;
        location / {{ return {status}; }}
    }}
}}
"""


def free_port():
    """A port nothing listens on now (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, status=204, access_log=False, workers=1):
        self.status = status
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        os.chmod(self.dir, 0o755)
        self.access_log = self.dir / "access.log"
        self.port = None
        self.proc = None
        self.workers = workers
        self.with_log = access_log

    def start(self, timeout=10):
        for _ in range(5):      # the port may be taken between two binds
            self.port = free_port()
            conf = CONF.format(
                workers=self.workers, prefix=self.dir, port=self.port,
                status=self.status,
                user="user root;" if os.geteuid() == 0 else "",
                access=(f"access_log {self.access_log} bench;"
                        if self.with_log else "access_log off;"))
            (self.dir / "nginx.conf").write_text(conf)
            self.proc = subprocess.Popen(
                [NGINX, "-p", str(self.dir), "-c", str(self.dir /
                                                       "nginx.conf")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(self.dir / "stderr.log", "wb"))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    with socket.create_connection(("127.0.0.1", self.port),
                                                  timeout=0.5):
                        return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("nginx did not start: " + self.errors())

    def errors(self):
        text = ""
        for name in ("stderr.log", "error.log"):
            p = self.dir / name
            if p.exists():
                text += p.read_text(errors="replace")
        return text.strip()[-500:]

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
