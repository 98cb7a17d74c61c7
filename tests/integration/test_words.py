"""The words people read, through the real binary: test messages that
count what is open, overdue advice by audience, e-mail From names and the
STARTTLS error, and markup in case titles reaching robots as text."""
import email.header
import subprocess

from daemon_helpers import (CASE_ID, Reply, binary, case, cases_file, chat_receiver,
                            email_receiver, make_tree, wait_until)
from daemon_helpers import hook, smtp, spawn  # noqa: F401  (fixtures)


def with_keys(receiver, **keys):
    """receiver's text with more keys (strings) before its closing brace."""
    extra = "".join(f' {k} = "{v}";' for k, v in keys.items())
    return receiver[:-1].rstrip() + extra + " }"


def run(tree, *args, now=None):
    cmd = [binary(), "-c", str(tree.main)]
    if now is not None:
        cmd += ["--now", now]
    return subprocess.run(cmd + list(args), capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


ROBOT_OK = Reply(200, body=b'{"errcode":0,"errmsg":"ok"}')


def two_cases():
    # At 2025-07-12: A's decision window (deadline 07-10) is overdue, B's
    # (transferred 07-11, deadline 07-18) is open.
    return {"a.conf": cases_file(
        case(transferred="2025-07-03"),
        case(case_id="(2025)沪0115执5678号", transferred="2025-07-11"),
        case(case_id="(2025)沪0115执0001号", transferred="2025-07-01",
             filed="2025-07-04"))}


def test_test_message_counts_open_and_overdue(tmp_path, hook):
    hook.default = ROBOT_OK
    tree = make_tree(tmp_path, [chat_receiver("ding", hook.url(),
                                              "dingtalk")],
                     ["ding"], two_cases())
    r = run(tree, "--test-receiver", "ding", now="2025-07-12T10:00")
    assert r.returncode == 0, r.stdout + r.stderr
    (req,) = hook.snapshot()
    text = req.json["markdown"]["text"]
    assert "测试消息" in text, text
    assert "目前该接收方跟踪的期限中有 2 个未结，其中 1 个已逾期。" in text, text
    assert "没有" not in text, text


def test_test_message_counts_in_english_and_when_nothing_is_open(tmp_path,
                                                                 hook):
    hook.default = ROBOT_OK
    tree = make_tree(tmp_path, [chat_receiver("ding", hook.url(), "dingtalk",
                                              language="en")],
                     ["ding"], two_cases())
    r = run(tree, "--test-receiver", "ding", now="2025-07-12T10:00")
    assert r.returncode == 0, r.stdout + r.stderr
    text = hook.snapshot()[0].json["markdown"]["text"]
    assert "test message" in text, text
    assert ("Right now this receiver is told of 2 open deadlines, 1 of "
            "them overdue.") in text, text
    assert "Nothing is due" not in text, text
    # Before any case was transferred nothing is open, and it says so.
    r = run(tree, "--test-receiver", "ding", now="2025-06-01T10:00")
    assert r.returncode == 0, r.stdout + r.stderr
    text = hook.snapshot()[1].json["markdown"]["text"]
    assert "Right now this receiver is told of no open deadline." in text


def test_audience_check_errors_name_file_and_line(tmp_path):
    bad = with_keys(chat_receiver("ding", "https://oapi.dingtalk.com/x",
                                  "dingtalk"), audience="judge")
    tree = make_tree(tmp_path, [bad], ["ding"], two_cases())
    r = run(tree, "-t")
    assert r.returncode == 1
    line = next(n for n, text in enumerate(
        tree.main.read_text().splitlines(), 1) if "judge" in text)
    assert (f"{tree.main}:{line}: receiver 'ding': unknown audience 'judge' "
            "(court, creditor or procuratorate)") in r.stdout + r.stderr
    for who in ("court", "creditor", "procuratorate"):
        ok = with_keys(chat_receiver("ding", "https://oapi.dingtalk.com/x",
                                     "dingtalk"), audience=who)
        tree = make_tree(tmp_path / who, [ok], ["ding"], two_cases())
        r = run(tree, "-t")
        assert r.returncode == 0, r.stdout + r.stderr


def test_overdue_advice_follows_the_audience(tmp_path, hook, spawn):
    hook.default = ROBOT_OK
    receivers = [
        with_keys(chat_receiver("court", hook.url("/court"), "dingtalk",
                                group_wait=0), audience="court"),
        with_keys(chat_receiver("creditor", hook.url("/creditor"),
                                "dingtalk", group_wait=0),
                  audience="creditor"),
        with_keys(chat_receiver("proc", hook.url("/proc"), "dingtalk",
                                group_wait=0), audience="procuratorate"),
        chat_receiver("plain", hook.url("/plain"), "dingtalk", group_wait=0),
    ]
    tree = make_tree(tmp_path, receivers,
                     ["court", "creditor", "proc", "plain"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-12T10:00")
    want = {"/court": "可函询公安机关办理情况，并可商请检察院依法监督",
            "/creditor": "可向检察院申请立案监督，并准备自诉证据",
            "/proc": "可要求公安机关说明不立案理由",
            "/plain": "可请求检察院立案监督（由检察院要求公安机关说明理由）"}
    for path, words in want.items():
        def overdue_text(path=path):
            for req in hook.snapshot(path):
                text = req.json["markdown"]["text"]
                if "【逾期】" in text:
                    return text
        text = wait_until(overdue_text, timeout=10,
                          message=f"an overdue alert at {path}")
        assert words in text, (path, text)
        for other, w in want.items():
            if other != path:
                assert w not in text, (path, other, text)
    d.stop()


def test_from_display_name_reaches_the_smtp_peer_encoded(tmp_path, smtp):
    receiver = email_receiver("mail", smtp.url, ["legal@example.org"],
                              sender="某某法院执行局 <deadlined@example.org>")
    tree = make_tree(tmp_path, [receiver], ["mail"], two_cases())
    assert run(tree, "-t").returncode == 0
    r = run(tree, "--test-receiver", "mail", now="2025-07-12T10:00")
    assert r.returncode == 0, r.stdout + r.stderr
    (mail,) = smtp.wait_mails(1)
    # The envelope has the bare address; the header the encoded name.
    assert mail.mail_from == "deadlined@example.org"
    raw = mail.data.decode("ascii")
    header = next(line for line in raw.split("\r\n")
                  if line.startswith("From:"))
    assert header == ("From: =?UTF-8?B?5p+Q5p+Q5rOV6Zmi5omn6KGM5bGA?= "
                      "<deadlined@example.org>"), header
    name, addr = email.header.decode_header(header[6:])[0:2]
    assert name[0].decode(name[1]) == "某某法院执行局"
    msg = mail.message
    assert msg["From"].addresses[0].display_name == "某某法院执行局"
    assert msg["From"].addresses[0].addr_spec == "deadlined@example.org"


def test_bad_from_is_a_check_error(tmp_path):
    for sender, words in (
            ("某某法院执行局 <not-an-address>",
             "'from' has no valid mail address between < and >"),
            ("某某 <deadlined@example.org", "'from' must be"),
            ('A "quoted" name <deadlined@example.org>',
             "the name in 'from' cannot hold")):
        receiver = email_receiver("mail", "smtp://127.0.0.1:25",
                                  ["legal@example.org"], sender=sender)
        tree = make_tree(tmp_path / str(len(words)), [receiver], ["mail"],
                         two_cases())
        r = run(tree, "-t")
        assert r.returncode == 1, r.stdout
        assert f"receiver 'mail': {words}" in r.stdout + r.stderr, r.stdout
        assert f"{tree.main}:" in r.stdout + r.stderr


def test_no_starttls_under_tls_required_names_the_setting(tmp_path, smtp):
    # The aiosmtpd peer offers no STARTTLS.
    receiver = email_receiver("mail", smtp.url, ["legal@example.org"],
                              tls="required")
    tree = make_tree(tmp_path, [receiver], ["mail"], two_cases())
    r = run(tree, "--test-receiver", "mail")
    assert r.returncode == 1
    assert r.stdout == (
        'mail: failed: the SMTP server does not offer STARTTLS, and the '
        'receiver has tls = "required" (the default for smtp://): use the '
        "server's smtps:// port, or set tls = \"try\" (or \"none\") to send "
        "without encryption\n"), r.stdout
    assert "SMTP 250" not in r.stdout + r.stderr
    assert smtp.mails == []


TITLE = ("<@U123> <!channel> @all [点我](http://evil.example) **粗体** "
         '<at user_id="all">所有人</at> <font color="red">x</font>')
FULL_WIDTH = ("＜＠U123＞ ＜!channel＞ ＠all ［点我］(http://evil.example) "
              "＊＊粗体＊＊ ＜at user＿id=\"all\"＞所有人＜/at＞ "
              "＜font color=\"red\"＞x＜/font＞")

# Each robot format, where its text is in the body it receives, and the
# title as that text must show it.
ROBOTS = {
    "dingtalk": (None, lambda b: b["markdown"]["text"], FULL_WIDTH),
    "wecom": (None, lambda b: b["markdown"]["content"], FULL_WIDTH),
    "feishu": ("interactive", lambda b: b["card"]["elements"][0]["content"],
               FULL_WIDTH),
    "slack": ("blocks", lambda b: b["blocks"][0]["text"]["text"],
              "&lt;@U123&gt; &lt;!channel&gt; @all [点我](http://evil.example) "
              "＊＊粗体＊＊ &lt;at user＿id=\"all\"&gt;所有人&lt;/at&gt; "
              "&lt;font color=\"red\"&gt;x&lt;/font&gt;"),
    "teams": (None, lambda b: " ".join(
        block["text"] for block in
        b["attachments"][0]["content"]["body"]),
        "<@U123> <!channel> @all ［点我］(http://evil.example) ＊＊粗体＊＊ "
        '<at user＿id="all">所有人</at> <font color="red">x</font>'),
}


# What would act in each format's text: a Slack link is <url|text>, so
# [x](url) is inert there; a Teams card has no tags or mentions in text.
MARKDOWN_ACTIVE = ("<@U123>", "<!channel>", "@all", "[点我](", "**粗体**",
                   '<at user_id=\\"all\\">', "<font")
ACTIVE = {"dingtalk": MARKDOWN_ACTIVE, "wecom": MARKDOWN_ACTIVE,
          "feishu": MARKDOWN_ACTIVE,
          "slack": ("<@U123>", "<!channel>", "**粗体**", "<at", "<font"),
          "teams": ("[点我](", "**粗体**")}


def test_markup_in_titles_reaches_robots_as_text(tmp_path, hook, spawn):
    hook.default = ROBOT_OK
    receivers = [chat_receiver(fmt, hook.url("/" + fmt), fmt, msgtype=mt,
                               group_wait=0)
                 for fmt, (mt, _, _) in ROBOTS.items()]
    tree = make_tree(tmp_path, receivers, list(ROBOTS),
                     {"a.conf": cases_file(case(title=TITLE,
                                                transferred="2025-07-03"))})
    d = spawn(tree, now="2025-07-12T10:00")
    for fmt, (_, text_of, shown) in ROBOTS.items():
        req = wait_until(lambda fmt=fmt: hook.snapshot("/" + fmt),
                         timeout=10, message=f"{fmt} got a message")[0]
        text = text_of(req.json)
        assert shown in text, (fmt, text)
        assert CASE_ID in text, (fmt, text)
        # Nothing of the title acts: no mention, link or tag survives.
        raw = req.body.decode("utf-8")
        for bad in ACTIVE[fmt]:
            assert bad not in raw, (fmt, bad, raw)
    d.stop()
