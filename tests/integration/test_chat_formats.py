"""The chat-robot formats against robots played on 127.0.0.1: DingTalk,
WeCom, Feishu, Slack and Teams bodies as each provider documents them;
DingTalk's and Feishu's signatures checked here with our own code of the
providers' algorithms, which, like the providers, refuse a timestamp more
than an hour from the real time (the daemon runs with --now in 2025, so
only a signature over the real clock passes); refusals in a 200 answer
retried or, for a permanent code, given up; and WeCom's length limit when
many cases are due at once."""
import base64
import calendar
import hashlib
import hmac
import json
import time
import urllib.parse

from daemon_helpers import (CASE_ID, HOOK_SECRET, HOOK_SECRET_2, URL_TOKEN,
                            Reply, Request, case, cases_file, chat_receiver,
                            make_tree)
from daemon_helpers import hook, spawn  # noqa: F401  (fixtures)

NOW = "2025-07-04T10:00"        # the daemon's clock: months from the real one
NOW_EPOCH = calendar.timegm((2025, 7, 4, 2, 0, 0))   # the same, in UTC
MOBILE = "13800000001"
HOUR = 3600

JSON_UTF8 = "application/json; charset=utf-8"


def one_case():
    # Transferred on 2025-07-03: on the first start at NOW the decision
    # window is announced ("opened"), and nothing else is due.
    return {"a.conf": cases_file(case(transferred="2025-07-03"))}


def answer(doc, status=200):
    return Reply(status=status, body=json.dumps(doc).encode())


# -- the providers' signatures, written here from their documentation ----

def dingtalk_sign(secret, ts_ms):
    """base64(HMAC-SHA256(key=secret, "<ts_ms>\\n<secret>"))."""
    mac = hmac.new(secret.encode(), f"{ts_ms}\n{secret}".encode(),
                   hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def feishu_sign(secret, ts_s):
    """base64(HMAC-SHA256(key="<ts_s>\\n<secret>", "")."""
    mac = hmac.new(f"{ts_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class DingTalkRobot:
    """Answers like a DingTalk custom robot: access_token, then timestamp
    (ms, within an hour of now) and sign in the query."""

    def __init__(self, secret, token=URL_TOKEN):
        self.secret, self.token = secret, token
        self.checks = []        # (request path, verdict)

    def __call__(self, req):
        query = urllib.parse.urlsplit(req.path).query
        qs = urllib.parse.parse_qs(query)
        if qs.get("access_token") != [self.token]:
            return self.refuse(req, 300001, "token is not exist")
        try:
            ts = int(qs["timestamp"][0])
            sign = qs["sign"][0]
        except (KeyError, ValueError):
            return self.refuse(req, 310000, "sign not match")
        raw = dict(p.split("=", 1) for p in query.split("&"))["sign"]
        fresh = abs(ts - time.time() * 1000) <= HOUR * 1000
        if (not fresh or set("+/=") & set(raw) or
                not hmac.compare_digest(sign, dingtalk_sign(self.secret, ts))):
            return self.refuse(req, 310000, "sign not match")
        self.checks.append((req.path, "ok"))
        return answer({"errcode": 0, "errmsg": "ok"})

    def refuse(self, req, code, msg):
        self.checks.append((req.path, code))
        return answer({"errcode": code, "errmsg": msg})


class FeishuRobot:
    """Answers like a Feishu custom bot with signing on: "timestamp" (s,
    a string, within an hour of now) and "sign" in the body."""

    def __init__(self, secret):
        self.secret = secret
        self.checks = []

    def __call__(self, req):
        doc = json.loads(req.body)
        try:
            ts = int(doc["timestamp"])
            sign = doc["sign"]
        except (KeyError, ValueError, TypeError):
            return self.refuse(req, 19021)
        if (not isinstance(doc["timestamp"], str) or
                abs(ts - time.time()) > HOUR or
                not hmac.compare_digest(sign, feishu_sign(self.secret, ts))):
            return self.refuse(req, 19021)
        self.checks.append((req.path, "ok"))
        return answer({"StatusCode": 0, "StatusMessage": "success",
                       "code": 0, "data": {}, "msg": "success"})

    def refuse(self, req, code):
        self.checks.append((req.path, code))
        return answer({"code": code, "data": {},
                       "msg": "sign match fail or timestamp is not within "
                              "one hour from current time"})


def fake_request(path, body=b"{}"):
    return Request(method="POST", path=path, headers={}, header_list=[],
                   body=body, arrived=0.0, arrived_wall=0.0)


def test_the_robots_here_refuse_a_signature_over_the_now_clock():
    """Our robots would catch a daemon that signed with --now's time."""
    ding = DingTalkRobot(HOOK_SECRET)
    ms = NOW_EPOCH * 1000
    stale = urllib.parse.quote_plus(dingtalk_sign(HOOK_SECRET, ms))
    reply = ding(fake_request(f"/robot/send?access_token={URL_TOKEN}"
                              f"&timestamp={ms}&sign={stale}"))
    assert json.loads(reply.body)["errcode"] == 310000
    now_ms = int(time.time() * 1000)
    fresh = urllib.parse.quote_plus(dingtalk_sign(HOOK_SECRET, now_ms))
    reply = ding(fake_request(f"/robot/send?access_token={URL_TOKEN}"
                              f"&timestamp={now_ms}&sign={fresh}"))
    assert json.loads(reply.body)["errcode"] == 0

    feishu = FeishuRobot(HOOK_SECRET)
    body = {"timestamp": str(NOW_EPOCH),
            "sign": feishu_sign(HOOK_SECRET, NOW_EPOCH), "msg_type": "text"}
    reply = feishu(fake_request("/hook", json.dumps(body).encode()))
    assert json.loads(reply.body)["code"] == 19021
    now = int(time.time())
    body.update(timestamp=str(now), sign=feishu_sign(HOOK_SECRET, now))
    reply = feishu(fake_request("/hook", json.dumps(body).encode()))
    assert json.loads(reply.body)["code"] == 0


def check_headers(req, team=None):
    assert req.method == "POST"
    assert req.header("Content-Type") == JSON_UTF8
    assert req.header("User-Agent").startswith("deadlined/")
    assert req.header("Idempotency-Key")
    assert req.header("X-Deadlined-Signature") is None
    assert req.header("X-Team") == team


def test_dingtalk_markdown_signed_over_the_real_clock(tmp_path, hook,
                                                      spawn):
    robot = DingTalkRobot(HOOK_SECRET)
    hook.responder = robot
    url = hook.url("/robot/send", token=None) + f"?access_token={URL_TOKEN}"
    tree = make_tree(
        tmp_path, [chat_receiver("ding", url, "dingtalk",
                                 secret_file="secrets/ding",
                                 at_mobiles=[MOBILE],
                                 headers=["X-Team: legal"])],
        ["ding"], one_case(), secrets={"secrets/ding": HOOK_SECRET + "\n"})
    d = spawn(tree, now=NOW)
    req = hook.wait_requests(1, timeout=10)[0]
    d.wait_line(r"delivered opened for case .* to ding: HTTP 200")
    assert robot.checks == [(req.path, "ok")], robot.checks
    check_headers(req, team="legal")
    doc = req.json
    assert list(doc) == ["msgtype", "markdown", "at"]
    assert doc["msgtype"] == "markdown"
    assert doc["markdown"]["title"]
    assert CASE_ID in doc["markdown"]["text"]
    assert "@" + MOBILE in doc["markdown"]["text"]
    assert doc["at"] == {"atMobiles": [MOBILE], "isAtAll": False}
    assert tree.wait_states(["sent"])[0]["attempts"] == 1
    d.stop()


def test_dingtalk_text_with_at_all(tmp_path, hook, spawn):
    hook.default = answer({"errcode": 0, "errmsg": "ok"})
    url = hook.url("/robot/send", token=None) + f"?access_token={URL_TOKEN}"
    tree = make_tree(
        tmp_path, [chat_receiver("ding", url, "dingtalk", msgtype="text",
                                 at_all=True, group_wait=0)],
        ["ding"], one_case())
    d = spawn(tree, now=NOW)
    req = hook.wait_requests(1, timeout=10)[0]
    # Without a secret the URL is sent as configured.
    assert req.path == f"/robot/send?access_token={URL_TOKEN}"
    doc = req.json
    assert doc["msgtype"] == "text"
    assert CASE_ID in doc["text"]["content"]
    assert doc["at"] == {"atMobiles": [], "isAtAll": True}
    tree.wait_states(["sent"])
    d.stop()


def test_dingtalk_refusal_to_send_so_fast_is_retried(tmp_path, hook, spawn):
    hook.script = [answer({"errcode": 130101,
                           "errmsg": "send too fast, exceed 20 times per "
                                     "minute"}),
                   answer({"errcode": 0, "errmsg": "ok"})]
    url = hook.url("/robot/send", token=None) + f"?access_token={URL_TOKEN}"
    tree = make_tree(tmp_path, [chat_receiver("ding", url, "dingtalk",
                                              group_wait=0)],
                     ["ding"], one_case(), retry=(1, 2))
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivery of opened for case .* to ding failed: HTTP 200, "
                r"refused: errcode 130101: send too fast.*; retry in \d+s")
    d.wait_line(r"delivered opened for case .* to ding: HTTP 200",
                timeout=10)
    reqs = hook.snapshot()
    assert len(reqs) == 2
    assert reqs[0].json == reqs[1].json
    rows = tree.wait_states(["sent"])
    assert rows[0]["attempts"] == 2
    d.stop()


def test_dingtalk_bad_signature_is_tried_twice(tmp_path, hook, spawn):
    # The robot knows another secret: 310000.  A clock step could cause
    # it too, so it is retried once; then it is a matter of configuration.
    robot = DingTalkRobot(HOOK_SECRET_2)
    hook.responder = robot
    url = hook.url("/robot/send", token=None) + f"?access_token={URL_TOKEN}"
    tree = make_tree(
        tmp_path, [chat_receiver("ding", url, "dingtalk", group_wait=0,
                                 secret_file="secrets/ding")],
        ["ding"], one_case(), retry=(1, 2),
        secrets={"secrets/ding": HOOK_SECRET + "\n"})
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivery of opened for case .* to ding failed: "
                r"HTTP 200, refused: errcode 310000: sign not match; retry")
    d.wait_line(r"delivery of opened for case .* to ding failed for good: "
                r"HTTP 200, refused: errcode 310000: sign not match")
    rows = tree.wait_states(["failed"])
    assert rows[0]["attempts"] == 2
    time.sleep(3)       # retry.first is 1 s: a third try would have come
    assert len(hook.snapshot()) == 2
    assert [c for _, c in robot.checks] == [310000, 310000]
    d.stop()


def test_wecom_markdown_and_text(tmp_path, hook, spawn):
    hook.default = answer({"errcode": 0, "errmsg": "ok"})
    base = hook.url("/cgi-bin/webhook/send", token=None)
    tree = make_tree(
        tmp_path,
        [chat_receiver("wecom_md", base + f"?key={URL_TOKEN}&r=md", "wecom",
                       group_wait=0),
         chat_receiver("wecom_text", base + f"?key={URL_TOKEN}&r=text",
                       "wecom", msgtype="text", at_mobiles=[MOBILE],
                       at_all=True, group_wait=0)],
        ["wecom_md", "wecom_text"], one_case())
    d = spawn(tree, now=NOW)
    reqs = hook.wait_requests(2, timeout=10)
    md = next(r for r in reqs if r.path.endswith("r=md")).json
    text = next(r for r in reqs if r.path.endswith("r=text")).json
    for r in reqs:
        check_headers(r)
    assert md == {"msgtype": "markdown",
                  "markdown": {"content": md["markdown"]["content"]}}
    assert CASE_ID in md["markdown"]["content"]
    assert list(text) == ["msgtype", "text"]
    assert text["msgtype"] == "text"
    assert CASE_ID in text["text"]["content"]
    assert text["text"]["mentioned_mobile_list"] == [MOBILE, "@all"]
    tree.wait_states(["sent", "sent"])
    d.stop()


def test_wecom_refusals(tmp_path, hook, spawn):
    # 45009 (too often) is retried; 93000 (a bad key) is not.
    hook.script = [answer({"errcode": 45009,
                           "errmsg": "api freq out of limit"}),
                   answer({"errcode": 93000,
                           "errmsg": "invalid webhook url"})]
    url = hook.url("/cgi-bin/webhook/send", token=None) + f"?key={URL_TOKEN}"
    tree = make_tree(tmp_path, [chat_receiver("wecom", url, "wecom",
                                              group_wait=0)],
                     ["wecom"], one_case(), retry=(1, 2))
    d = spawn(tree, now=NOW)
    d.wait_line(r"to wecom failed: HTTP 200, refused: errcode 45009: api "
                r"freq out of limit; retry in")
    d.wait_line(r"to wecom failed for good: HTTP 200, refused: errcode "
                r"93000: invalid webhook url", timeout=10)
    rows = tree.wait_states(["failed"])
    assert rows[0]["attempts"] == 2
    time.sleep(2.5)
    assert len(hook.snapshot()) == 2
    d.stop()


def many_cases(n):
    # Long titles, so that a digest of WeCom's size would not fit whole.
    title = "张三诉李四拒不执行判决、裁定案件之立案监督申请" * 4
    return {"many.conf": cases_file(*(
        case(case_id=f"(2025)测{i:04d}号", title=f"{title} {i}",
             transferred="2025-07-03") for i in range(n)))}


def test_wecom_keeps_within_its_length_limits(tmp_path, hook, spawn):
    hook.default = answer({"errcode": 0, "errmsg": "ok"})
    base = hook.url("/cgi-bin/webhook/send", token=None)
    n = 40
    tree = make_tree(
        tmp_path,
        [chat_receiver("wecom_md", base + f"?key={URL_TOKEN}&r=md", "wecom",
                       rate="100/min"),
         chat_receiver("wecom_text", base + f"?key={URL_TOKEN}&r=text",
                       "wecom", msgtype="text", rate="100/min")],
        ["wecom_md", "wecom_text"], many_cases(n))
    d = spawn(tree, now=NOW)
    d.wait_line(r"planned: ")
    # Every announcement is delivered (sent) to both receivers.
    tree.wait_states(["sent"] * (2 * n), timeout=30)
    reqs = hook.snapshot()
    assert len(reqs) < 2 * n, "announcements were not sent as digests"
    shown = {"md": set(), "text": set()}
    for r in reqs:
        kind = r.path.rsplit("=", 1)[1]
        doc = r.json
        content = doc[doc["msgtype"]]["content"]
        limit = 4096 if kind == "md" else 2048
        assert len(content.encode()) <= limit, (kind, len(content.encode()))
        shown[kind] |= {i for i in range(n)
                        if f"(2025)测{i:04d}号" in content}
        if "另有" in content:
            print(f"{kind}: a digest was cut: {content[-60:]!r}")
    # Every case is named in some message, or said to be "more".
    for kind in shown:
        missing = n - len(shown[kind])
        if missing:
            assert any("另有" in r.json[r.json["msgtype"]]["content"]
                       for r in reqs if r.path.endswith(kind)), kind
    d.stop()


def test_feishu_post_text_and_card_signed_over_the_real_clock(
        tmp_path, hook, spawn):
    robot = FeishuRobot(HOOK_SECRET)
    hook.responder = robot
    tree = make_tree(
        tmp_path,
        [chat_receiver("fs_post", hook.url("/open-apis/bot/v2/hook/post",
                                           token=None) + "-" + URL_TOKEN,
                       "feishu", secret_file="secrets/fs"),
         chat_receiver("fs_text", hook.url("/open-apis/bot/v2/hook/text",
                                           token=None) + "-" + URL_TOKEN,
                       "feishu", msgtype="text", secret_file="secrets/fs"),
         chat_receiver("fs_card", hook.url("/open-apis/bot/v2/hook/card",
                                           token=None) + "-" + URL_TOKEN,
                       "feishu", msgtype="interactive", language="en",
                       secret_file="secrets/fs")],
        ["fs_post", "fs_text", "fs_card"], one_case(),
        secrets={"secrets/fs": HOOK_SECRET + "\n"})
    d = spawn(tree, now=NOW)
    reqs = hook.wait_requests(3, timeout=10)
    tree.wait_states(["sent"] * 3)
    assert sorted(c for _, c in robot.checks) == ["ok"] * 3, robot.checks
    by = {r.path.rsplit("/", 1)[1].split("-")[0]: r.json for r in reqs}
    for r in reqs:
        check_headers(r)
    for doc in by.values():
        assert list(doc)[:3] == ["timestamp", "sign", "msg_type"]

    post = by["post"]
    assert post["msg_type"] == "post"
    zh = post["content"]["post"]["zh_cn"]
    assert zh["title"]
    lines = [p[0]["text"] for p in zh["content"]]
    assert all(len(p) == 1 and p[0]["tag"] == "text"
               for p in zh["content"])
    assert any(CASE_ID in line for line in lines)

    text = by["text"]
    assert text["msg_type"] == "text"
    assert CASE_ID in text["content"]["text"]

    card = by["card"]
    assert card["msg_type"] == "interactive"
    assert "content" not in card
    title = card["card"]["header"]["title"]
    assert title["tag"] == "plain_text" and title["content"]
    element = card["card"]["elements"][0]
    assert element["tag"] == "markdown"
    assert CASE_ID in element["content"]
    d.stop()


def test_feishu_bad_signature_is_tried_twice(tmp_path, hook, spawn):
    robot = FeishuRobot(HOOK_SECRET_2)
    hook.responder = robot
    url = hook.url("/open-apis/bot/v2/hook/", token=None) + URL_TOKEN
    tree = make_tree(
        tmp_path, [chat_receiver("fs", url, "feishu", group_wait=0,
                                 secret_file="secrets/fs")],
        ["fs"], one_case(), retry=(1, 2),
        secrets={"secrets/fs": HOOK_SECRET + "\n"})
    d = spawn(tree, now=NOW)
    d.wait_line(r"to fs failed for good: HTTP 200, refused: code 19021: "
                r"sign match fail", timeout=15)
    assert tree.wait_states(["failed"])[0]["attempts"] == 2
    time.sleep(3)
    assert len(hook.snapshot()) == 2
    d.stop()


def test_feishu_rate_limit_code_is_retried(tmp_path, hook, spawn):
    hook.script = [answer({"code": 11232, "msg": "frequency limited"}),
                   answer({"code": 0, "msg": "success"})]
    url = hook.url("/open-apis/bot/v2/hook/", token=None) + URL_TOKEN
    tree = make_tree(tmp_path, [chat_receiver("fs", url, "feishu",
                                              group_wait=0)],
                     ["fs"], one_case(), retry=(1, 2))
    d = spawn(tree, now=NOW)
    d.wait_line(r"delivered opened for case .* to fs: HTTP 200", timeout=10)
    assert tree.wait_states(["sent"])[0]["attempts"] == 2
    doc = hook.snapshot()[0].json
    assert "timestamp" not in doc and "sign" not in doc   # no secret
    d.stop()


def test_slack_and_teams(tmp_path, hook, spawn):
    def respond(req):
        if req.path.startswith("/teams"):
            return Reply(status=202, body=b"")
        return Reply(body=b"ok")
    hook.responder = respond
    tree = make_tree(
        tmp_path,
        [chat_receiver("slack", hook.url("/slack/text"), "slack",
                       group_wait=0),
         chat_receiver("slack_blocks", hook.url("/slack/blocks"), "slack",
                       msgtype="blocks", group_wait=0),
         chat_receiver("teams", hook.url("/teams"), "teams",
                       group_wait=0)],
        ["slack", "slack_blocks", "teams"], one_case())
    d = spawn(tree, now=NOW)
    reqs = hook.wait_requests(3, timeout=10)
    tree.wait_states(["sent"] * 3)
    by = {r.path.split("?")[0]: r.json for r in reqs}
    for r in reqs:
        check_headers(r)

    assert list(by["/slack/text"]) == ["text"]
    assert CASE_ID in by["/slack/text"]["text"]

    blocks = by["/slack/blocks"]
    assert blocks["text"]
    section = blocks["blocks"][0]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert CASE_ID in section["text"]["text"]

    teams = by["/teams"]
    assert teams["type"] == "message"
    (att,) = teams["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = att["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == \
        "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] == "1.4"
    assert all(b["type"] == "TextBlock" for b in card["body"])
    assert any(CASE_ID in b["text"] for b in card["body"])
    d.stop()
