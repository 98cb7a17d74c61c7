"""A receiver behind a private CA: `ca_file` names the CA's certificates
and deliveries to its HTTPS server succeed; without it the same server
is refused, since TLS is always verified; a ca_file that cannot be read
is a -t error at its line."""
import ssl
import subprocess

from conftest import line_of
from daemon_helpers import case, cases_file, make_tree, webhook_receiver
from daemon_helpers import hook  # noqa: F401  (fixture)


def make_ca(d):
    """A CA and a server certificate for 127.0.0.1 it signed, in d."""
    def sh(*argv):
        subprocess.run(argv, check=True, capture_output=True, cwd=d,
                       timeout=60)
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
       "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
       "/CN=deadlined test CA")
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
       "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    sh("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem",
       "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days",
       "2", "-extfile", "ext.cnf")
    return d / "ca.pem"


def tls(hook, d):
    """Make the hook server speak TLS with the CA's server certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "srv.pem", d / "srv.key")
    hook.server.socket = ctx.wrap_socket(hook.server.socket,
                                         server_side=True)
    return f"https://127.0.0.1:{hook.port}/hook"


def test_private_ca(tmp_path, hook, run):
    certs = tmp_path / "certs"
    certs.mkdir()
    ca = make_ca(certs)
    url = tls(hook, certs)
    with_ca = webhook_receiver("with_ca", url)[:-1] + f' ca_file = "{ca}"; }}'
    tree = make_tree(tmp_path, [with_ca, webhook_receiver("without", url)],
                     ["with_ca", "without"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     retry=(3600, 7200))
    r = run("-c", tree.main, "-t")
    assert r.returncode == 0, r.stderr
    r = run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    rows = {x["receiver"]: x for x in tree.deliveries()}
    assert rows["with_ca"]["state"] == "sent", rows
    assert rows["without"]["state"] == "pending", rows
    assert "certificate" in rows["without"]["last_error"].lower(), rows
    assert len(hook.snapshot()) == 1


def test_unreadable_ca_file_is_an_error(tmp_path, hook, run):
    bad = webhook_receiver("hook", hook.url())[:-1] + \
        ' ca_file = "certs/missing.pem"; }'
    tree = make_tree(tmp_path, [bad], ["hook"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    r = run("-c", tree.main, "-t")
    assert r.returncode == 1
    text = tree.main.read_text()
    assert (f"{tree.main}:{line_of(text, 'missing.pem')}: receiver 'hook': "
            f"ca_file 'certs/missing.pem': No such file or directory"
            in r.stderr), r.stderr
