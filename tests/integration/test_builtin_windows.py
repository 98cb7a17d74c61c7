"""Without a `windows` group every period of the 2025 Opinions and the
procuratorate's rules is built in: the decision (7 days, 30 once
extended), written reasons after not filing (7), the reply to the
procuratorate (7) and filing after its notice (15), each with a Chinese
title for Chinese texts and an English one for English texts."""
import json

from conftest import case, cases_conf, main_conf, write_tree

WANT = {
    # window: (opening event, its date, days, deadline)
    "decision": ("transferred", "2025-07-03", 30, "2025-08-04"),
    "reasons": ("not_filed", "2025-07-10", 7, "2025-07-17"),
    "supervision_reply": ("supervision_notice", "2025-07-21", 7,
                          "2025-07-28"),
    "filing_after_notice": ("filing_notice", "2025-08-01", 15,
                            "2025-08-18"),
}


def tree_with_every_period(tmp_path):
    # One case records every event; another is still in its decision
    # window, extended, so the 30 days apply.
    return write_tree(tmp_path, main=main_conf(windows=None), cases={
        "a.conf": cases_conf(
            case(id="A-1", transferred="2025-07-03", not_filed="2025-07-10",
                 supervision_notice="2025-07-21", filing_notice="2025-08-01"),
            case(id="A-2", transferred="2025-07-03", extended="2025-07-05"))})


def test_every_period_is_built_in(tmp_path, run):
    tree = tree_with_every_period(tmp_path)
    r = run("-c", tree.main, "-t")
    assert r.returncode == 0, r.stderr
    r = run("-c", tree.main, "--list", "--json", "--now", "2025-07-22T10:00")
    assert r.returncode == 0, r.stderr
    rows = {(o["case"], o["window"]): o for o in json.loads(r.stdout)}
    for window, (event, opened, days, deadline) in WANT.items():
        if window == "decision":
            o = rows["A-2", "decision"]
        else:
            o = rows["A-1", window]
        assert o["opened"] == opened, (window, o)
        assert o["deadline"] == deadline, (window, o)
    assert rows["A-1", "decision"]["state"] == "closed"
    assert rows["A-1", "reasons"]["deadline"] == "2025-07-17"


def test_builtin_titles_in_each_language(tmp_path, run):
    main = main_conf(windows=None, receivers="""(
  { name = "log"; type = "log"; }
)""", extra='state_dir = "state";')
    tree = write_tree(tmp_path, main=main, cases={"a.conf": cases_conf(
        case(id="A-1", transferred="2025-07-03",
             filing_notice="2025-07-04"))})
    r = run("-c", tree.main, "--once", "--now", "2025-07-04T10:00")
    assert r.returncode == 0, r.stderr
    # The log receiver's line is English, and so are the built-in
    # windows' titles in it (deadlined.8, "log").
    assert ": Police decision on opening a case, deadline " in r.stderr
    assert ": Filing after the procuratorate's notice, deadline " \
        in r.stderr
    assert "公安机关决定是否立案" not in r.stderr
    assert "接检察院通知后立案" not in r.stderr
