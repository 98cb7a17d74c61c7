#!/usr/bin/python3
"""gen_cases.py -- write N cases over M files for the benchmarks.

Deterministic for a given seed.  Ids look like real enforcement case
numbers, (2025)沪0115执1234号, unique across all files; titles and court
names are Chinese.

Two shapes:

    realistic (default)  transfers spread over 2025-01-02 .. 2026-10-31
                         (so every deadline falls in a year the shipped
                         holiday files cover); about 20% extended, 30%
                         closed (filed, or not_filed which opens the
                         `reasons` window, half of those answered)
    --burst DAY          every case open and overdue on DAY (transfers
                         3 to 8 weeks before, a fifth of them extended):
                         each has one alert at notify_at on DAY, so N
                         cases make N alerts due at one instant.  DAY
                         must be clear of long holidays (2026-06-10 is).

    gen_cases.py --out DIR -n N [-m M] [--seed S] [--burst YYYY-MM-DD]

writes DIR/cases-0000.conf ... and prints how many cases it wrote.
"""
import argparse
import datetime
import os
import pathlib
import random

COURTS = [
    ("沪", "0115", "上海市浦东新区人民法院"),
    ("沪", "0104", "上海市徐汇区人民法院"),
    ("沪", "0106", "上海市静安区人民法院"),
    ("京", "0105", "北京市朝阳区人民法院"),
    ("京", "0108", "北京市海淀区人民法院"),
    ("粤", "0304", "深圳市福田区人民法院"),
    ("粤", "0106", "广州市天河区人民法院"),
    ("浙", "0106", "杭州市西湖区人民法院"),
    ("苏", "0102", "南京市玄武区人民法院"),
    ("川", "0107", "成都市武侯区人民法院"),
    ("鄂", "0106", "武汉市武昌区人民法院"),
    ("津", "0116", "天津市滨海新区人民法院"),
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
FIRMS = ["贸易", "建设工程", "科技", "实业", "物流", "餐饮管理", "房地产开发",
         "机械设备", "电子商务", "装饰工程"]
CITIES = ["上海", "北京", "深圳", "广州", "杭州", "南京", "成都", "武汉",
          "天津"]

REAL_FIRST = datetime.date(2025, 1, 2)
REAL_LAST = datetime.date(2026, 10, 31)


def party(rng):
    """A person (张伟) or a company (上海某某贸易有限公司)."""
    if rng.random() < 0.6:
        return rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return (rng.choice(CITIES) + rng.choice(SURNAMES) + rng.choice(GIVEN) +
            rng.choice(FIRMS) + "有限公司")


def title(rng):
    return f"{party(rng)}诉{party(rng)}拒不执行判决、裁定案"


class Ids:
    """Unique enforcement case numbers per (year, court)."""

    def __init__(self, rng):
        self.next = {}
        self.rng = rng

    def take(self, year, court):
        key = (year, court[0], court[1])
        n = self.next.get(key)
        if n is None:
            n = self.rng.randint(100, 3000)
        self.next[key] = n + self.rng.randint(1, 3)
        return f"({year}){court[0]}{court[1]}执{n}号"


def day(d):
    return d.isoformat()


def realistic_events(rng):
    """The dated events of one realistic case."""
    span = (REAL_LAST - REAL_FIRST).days
    t = REAL_FIRST + datetime.timedelta(days=rng.randint(0, span))
    ev = {"transferred": day(t)}
    days = 7
    if rng.random() < 0.20:
        ev["extended"] = day(t + datetime.timedelta(days=rng.randint(1, 6)))
        days = 30
    if rng.random() < 0.30:
        closed = t + datetime.timedelta(days=rng.randint(7, days))
        if rng.random() < 0.5:
            ev["filed"] = day(closed)
        else:
            ev["not_filed"] = day(closed)
            if rng.random() < 0.5:
                ev["reasons_received"] = day(
                    closed + datetime.timedelta(days=rng.randint(1, 7)))
    return t.year, ev


def burst_events(rng, burst):
    """Events of a case whose decision window is overdue on burst (so
    it has an overdue alert at notify_at that day)."""
    if rng.random() < 0.20:
        t = burst - datetime.timedelta(days=rng.randint(36, 55))
        return t.year, {"transferred": day(t), "extended": day(
            t + datetime.timedelta(days=rng.randint(1, 6)))}
    t = burst - datetime.timedelta(days=rng.randint(10, 30))
    return t.year, {"transferred": day(t)}


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def case_text(case_id, case_title, court, ev):
    lines = [f"id = {q(case_id)};", f"title = {q(case_title)};",
             f"court = {q(court)};"]
    lines += [f"{k} = {q(v)};" for k, v in ev.items()]
    return "  { " + "\n    ".join(lines) + " }"


def generate(out, n, m=None, seed=1, burst=None):
    """Write n cases over m files (default: 1 per 10,000 cases) into the
    directory out, which is emptied of *.conf first; return n."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.conf"):
        old.unlink()
    m = max(1, m if m else (n + 9999) // 10000)
    rng = random.Random(seed)
    ids = Ids(rng)
    if isinstance(burst, str):
        burst = datetime.date.fromisoformat(burst)
    per = (n + m - 1) // m if n else 0
    written = 0
    for f in range(m):
        chunk = []
        for _ in range(min(per, n - written)):
            if burst is not None:
                year, ev = burst_events(rng, burst)
            else:
                year, ev = realistic_events(rng)
            court = rng.choice(COURTS)
            chunk.append(case_text(ids.take(year, court), title(rng),
                                   court[2], ev))
            written += 1
        path = out / f"cases-{f:04d}.conf"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fp:
            if chunk:
                fp.write("cases = (\n" + ",\n".join(chunk) + "\n);\n")
            else:
                fp.write("cases = ( );\n")
        os.replace(tmp, path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="the cases directory")
    ap.add_argument("-n", type=int, required=True, help="how many cases")
    ap.add_argument("-m", type=int, default=None, help="how many files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--burst", default=None, metavar="YYYY-MM-DD")
    a = ap.parse_args()
    print(generate(a.out, a.n, a.m, a.seed, a.burst))


if __name__ == "__main__":
    main()
