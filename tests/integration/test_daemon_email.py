"""The running daemon delivers by email through libcurl's SMTP to a real
SMTP server (aiosmtpd, plain, with AUTH offered)."""
import email.utils
import re

from daemon_helpers import (CASE_COURT, CASE_ID, CASE_TITLE, SMTP_PASSWORD,
                            SMTP_USER, case, cases_file, email_receiver,
                            make_tree, wait_until)
from daemon_helpers import smtp, spawn  # noqa: F401  (fixtures)

TO = ["legal@example.org", "ops@example.org", "lawyer@example.com"]
FROM = "deadlined@example.org"


def mail_tree(tmp_path, smtp):
    receiver = email_receiver("mail", smtp.url, TO, sender=FROM, tls="none",
                              username=SMTP_USER,
                              password_file="secrets/smtp")
    return make_tree(tmp_path, [receiver], ["mail"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     secrets={"secrets/smtp": SMTP_PASSWORD + "\n"})


# The kinds as the default (Chinese) subjects name them.
ZH_KINDS = {"提醒": "reminder", "到期": "due", "逾期": "overdue",
            "期限起算": "opened", "期限延长": "extended", "已办结": "closed"}


def subject_kinds(subject):
    """The alert kinds a subject names: "【到期】..." or, for a digest,
    "【期限提醒】2 条：1 条提醒，1 条期限起算；首件 ..."."""
    m = re.match(r"【期限提醒】(\d+) 条：([^；]*)；", subject)
    if m:
        return {ZH_KINDS[k] for k in re.findall(r"\d+ 条(\w+)", m.group(2))}
    m = re.match(r"【(\w+)】", subject)
    return {ZH_KINDS[m.group(1)]} if m and m.group(1) in ZH_KINDS else set()


def header_defects(msg):
    return [(name, value.defects) for name, value in msg.items()
            if getattr(value, "defects", None)]


def test_due_day_mail_to_every_recipient(tmp_path, smtp, spawn):
    tree = mail_tree(tmp_path, smtp)
    # Deadline 2025-07-10.  The first start announces `opened` at once.
    # It would catch up on the 1-day reminder of 07-09, but the due alert
    # goes out at 09:00, two seconds later, and says it as of today: the
    # stale reminder is left out.
    d = spawn(tree, now="2025-07-10T08:59:58")

    def subject(m):
        return str(m.message["subject"])

    def all_came():
        mails = smtp.wait_mails(0)
        kinds = set().union(*(subject_kinds(subject(m)) for m in mails))
        if {"due", "opened"} <= kinds:
            return mails
    mails = wait_until(all_came, timeout=10, message="two alerts by mail")
    # The due alert, alone or in a digest with `opened`.
    due = [m for m in mails if "due" in subject_kinds(subject(m))]
    assert len(due) == 1, [subject(m) for m in mails]
    kinds = set().union(*(subject_kinds(subject(m)) for m in mails))
    assert "reminder" not in kinds, [subject(m) for m in mails]
    mail = due[0]
    d.wait_line(r"delivered due for case .* window decision to mail: SMTP")

    # The envelope: from the configured address, to every recipient.
    assert mail.mail_from == FROM
    assert sorted(mail.rcpt_tos) == sorted(TO)
    # The password file was read and used.
    assert mail.login == SMTP_USER.encode()
    assert mail.password == SMTP_PASSWORD.encode()

    msg = mail.message
    assert not msg.defects, msg.defects
    assert not header_defects(msg), header_defects(msg)
    for name in ("From", "To", "Date", "Message-ID", "MIME-Version",
                 "Subject"):
        assert len(msg.get_all(name) or []) == 1, (name, msg.items())
    assert msg["From"].addresses[0].addr_spec == FROM
    assert sorted(a.addr_spec for a in msg["To"].addresses) == sorted(TO)
    assert msg["Date"].datetime is not None
    assert msg["Date"].datetime.utcoffset().total_seconds() == 8 * 3600
    assert email.utils.parsedate_to_datetime(str(msg["Date"])) is not None
    msgid = str(msg["Message-ID"])
    assert msgid.startswith("<") and msgid.endswith(">") and "@" in msgid
    assert str(msg["MIME-Version"]) == "1.0"

    # The subject names the case (decoded from RFC 2047), the kind and
    # the deadline.
    subject = str(msg["Subject"])
    assert CASE_ID in subject, subject
    assert "到期" in subject and "2025-07-10" in subject, subject

    # The body decodes and names case, court and deadline.
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    body = msg.get_content()
    for text in (CASE_ID, CASE_COURT, CASE_TITLE, "2025-07-10"):
        assert text in body, (text, body)

    # Every message has a Message-ID of its own.
    assert len({str(m.message["Message-ID"]) for m in mails}) == len(mails)
    d.stop()
    assert {r["state"] for r in tree.deliveries()} == {"sent"}


def test_smtp_5xx_fails_for_good_and_4xx_is_retried(tmp_path, smtp, spawn):
    tree = mail_tree(tmp_path, smtp)
    smtp.data_reply = "554 5.7.1 message refused"
    d = spawn(tree, now="2025-07-04T10:00")
    smtp.wait_mails(1, timeout=5)
    d.wait_line(r"delivery of opened for case .* to mail failed for good: "
                r".*554")
    rows = tree.wait_states(["failed"])
    assert rows[0]["last_status"] == 554, rows
    d.stop()

    tree2 = mail_tree(tmp_path / "again", smtp)
    smtp.data_reply = "451 4.3.0 try again later"
    d2 = spawn(tree2, now="2025-07-04T10:00")
    smtp.wait_mails(2, timeout=5)
    d2.wait_line(r"delivery of opened for case .* to mail failed: .*451.*; "
                 r"retry in \d+s")
    rows = wait_until(lambda: [r for r in tree2.deliveries()
                               if r["attempts"] == 1])
    assert len(rows) == 1 and rows[0]["state"] == "pending", rows
    assert rows[0]["last_status"] == 451, rows
    d2.stop()


def test_a_refused_recipient_does_not_stop_the_others(tmp_path, smtp, spawn):
    tree = mail_tree(tmp_path, smtp)
    smtp.refuse = {"ops@example.org"}
    d = spawn(tree, now="2025-07-04T10:00")
    mail = smtp.wait_mails(1, timeout=5)[0]
    assert sorted(mail.rcpt_tos) == ["lawyer@example.com",
                                     "legal@example.org"], mail.rcpt_tos
    d.wait_line(r"delivered opened for case .* to mail: SMTP")
    # The refusal is in the log, with the address and the server's words.
    d.wait_line(r"refused recipient <ops@example\.org>: 550 5\.1\.1 no such "
                r"mailbox here")
    assert [r["state"] for r in tree.wait_states(["sent"])] == ["sent"]
    d.stop()


def test_every_recipient_refused_fails_the_delivery(tmp_path, smtp, spawn):
    tree = mail_tree(tmp_path, smtp)
    smtp.refuse = set(TO)
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivery of opened for case .* to mail failed for good: "
                r".*550")
    assert len(d.grep(r"refused recipient <")) == 3, d.text
    assert smtp.mails == []
    assert [r["state"] for r in tree.wait_states(["failed"])] == ["failed"]
    d.stop()


def test_refused_recipients_are_recorded_shown_and_reported(
        tmp_path, smtp, spawn, run):
    """One of three recipients refused: the other two get the mail, the
    attempt records which address was refused and why (attempts.refused,
    --history text, JSON and CSV), the admin receivers are told, and the
    refused address is not tried again."""
    import csv
    import io
    import json
    import sqlite3
    receiver = email_receiver("mail", smtp.url, TO, sender=FROM, tls="none")
    tree = make_tree(tmp_path, [receiver, '{ name = "ops"; type = "log"; }'],
                     ["mail"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     extra='admin = [ "ops" ];')
    smtp.refuse = {"ops@example.org"}
    d = spawn(tree, now="2025-07-04T10:00")
    mail = smtp.wait_mails(1, timeout=5)[0]
    assert sorted(mail.rcpt_tos) == ["lawyer@example.com",
                                     "legal@example.org"]
    d.wait_line(r"delivered opened for case .* to mail: SMTP 250; refused 1 "
                r"of 3 recipients: ops@example\.org: 550 5\.1\.1 no such "
                r"mailbox here")
    d.wait_line(r"ADMIN recipients_refused: the SMTP server of mail refused "
                r"recipients .*ops@example\.org: 550 5\.1\.1 no such mailbox")
    tree.wait_states(["sent", "sent"])
    d.stop()
    assert len(smtp.mails) == 1     # nothing sent again to anyone
    con = sqlite3.connect(tree.outbox)
    [(refused, result)] = con.execute(
        "SELECT refused, result FROM attempts WHERE receiver = 'mail'")
    con.close()
    assert refused == "ops@example.org: 550 5.1.1 no such mailbox here"
    assert result == "sent"

    r = run("-c", tree.main, "--history", CASE_ID)
    assert ("[refused: ops@example.org: 550 5.1.1 no such mailbox here]"
            in r.stdout), r.stdout
    js = json.loads(run("-c", tree.main, "--history", CASE_ID,
                        "--json").stdout)
    [att] = [x["attempt"] for x in js["deliveries"]
             if x["receiver"] == "mail"]
    assert att["refused"] == refused
    rows = list(csv.DictReader(io.StringIO(
        run("-c", tree.main, "--history", CASE_ID,
            "--csv").stdout.lstrip("\ufeff"))))
    assert [x["refused"] for x in rows if x["receiver"] == "mail"
            and x["what"] == "attempt"] == [refused]


def test_every_recipient_refused_for_now_is_not_retried_forever(
        tmp_path, smtp, spawn):
    """Every recipient refused with 4xx: retried, but the third attempt
    fails for good."""
    receiver = email_receiver("mail", smtp.url, TO, sender=FROM, tls="none")
    tree = make_tree(tmp_path, [receiver], ["mail"],
                     {"a.conf": cases_file(case(transferred="2025-07-03"))},
                     retry=(1, 1))
    smtp.refuse = set(TO)
    smtp.refuse_reply = "450 4.2.1 mailbox busy, try later"
    d = spawn(tree, now="2025-07-04T10:00")
    d.wait_line(r"delivery of opened for case .* to mail failed for good: "
                r".*refused 3 of 3 recipients", timeout=15)
    assert len(d.grep(r"to mail failed: .*; retry in")) == 2, d.text
    rows = tree.wait_states(["failed"])
    assert rows[0]["attempts"] == 3, rows
    d.stop()
