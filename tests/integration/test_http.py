"""The status listener (issue 11): the http group of the main file.

Off unless the main file has `http = { listen = "ADDRESS:PORT"; }`; an
address other than loopback needs a token_file, and every mistake is a
"FILE:LINE: message" of -t.
"""
import pytest

from conftest import (assert_error, assert_failed, case, cases_conf,
                      line_of, main_conf, write_tree)

GOOD_CASES = {"a.conf": cases_conf(case(id="A-1", transferred="2025-07-03"))}
TOKEN = "s3cr3t-http-token-0123456789"


def http_tree(tmp_path, group, token=TOKEN + "\n"):
    files = {"secrets/http-token": token} if token is not None else {}
    main = main_conf(extra=f"http = {{\n{group}\n}};")
    return write_tree(tmp_path, main=main, cases=GOOD_CASES, files=files)


@pytest.mark.parametrize("listen", ["127.0.0.1:9107", "127.1.2.3:80",
                                    "[::1]:9107"])
def test_loopback_listen_without_token_is_ok(tmp_path, check, listen):
    r = check(http_tree(tmp_path, f'  listen = "{listen}";'))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "ok"


def test_public_listen_with_token_is_ok(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "0.0.0.0:9107";\n'
                               '  token_file = "secrets/http-token";')
    r = check(tree)
    assert r.returncode == 0, r.stderr
    assert TOKEN not in r.stdout + r.stderr


@pytest.mark.parametrize("listen", ["0.0.0.0:9107", "192.0.2.1:80",
                                    "[::]:9107"])
def test_public_listen_without_token_is_an_error(tmp_path, check, listen):
    tree = http_tree(tmp_path, f'  listen = "{listen}";')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "listen ="),
                 "http.listen is not a loopback address: set "
                 "http.token_file")


@pytest.mark.parametrize("listen", ["127.0.0.1", "127.0.0.1:0",
                                    "127.0.0.1:65536", "localhost:9107",
                                    "127.0.0.1:90x", "::1:9107", ":9107",
                                    "[::1:9107"])
def test_bad_listen_is_an_error(tmp_path, check, listen):
    tree = http_tree(tmp_path, f'  listen = "{listen}";')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "listen ="), "http.listen")


def test_missing_token_file_is_an_error(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "127.0.0.1:9107";\n'
                               '  token_file = "secrets/http-token";',
                     token=None)
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "token_file ="), "token_file")


def test_unknown_http_key_is_an_error(tmp_path, check):
    tree = http_tree(tmp_path, '  listen = "127.0.0.1:9107";\n'
                               '  port = 9107;')
    r = check(tree)
    assert_failed(r)
    assert_error(r, tree.main, line_of(tree.texts["deadlined.conf"],
                                       "port ="), "port")
