#!/usr/bin/python3
"""report_dom.py - reads a page of `aclsub report` (as written, or as a
browser's --dump-dom left it) for tests/shell/check_report.sh; prints one
line per thing that is wrong, nothing when all is right.

    report_dom.py numbers PAGE SUMMARY.csv SUMMARY.txt   types table = decode summary's rows
    report_dom.py browser DOM CHARTS_AT_LEAST            rendered, no error noted
    report_dom.py hostile DOM                            hostile names are text, title intact
    report_dom.py diff PAGE                              diff rows sorted by |change|, first MatMul
    report_dom.py bounded PAGE MAX                       series tables at most MAX rows
"""
import csv
import re
import sys
from html.parser import HTMLParser


class Tables(HTMLParser):
    """Rows of every table with an id: [key text, data-v of each td...]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.cur, self.row, self.text, self.in_key, self.depth = {}, None, None, "", False, 0
        self.root, self.title, self.in_title, self.errors, self.in_errors = {}, "", False, "", False
        self.series_rows, self.in_series = [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.root = a
        elif tag == "title":
            self.in_title = True
        elif tag == "pre" and a.get("id") == "errors":
            self.in_errors = True
        elif tag == "table":
            self.depth += 1
            if a.get("id"):
                self.cur = self.tables.setdefault(a["id"], [])
            self.in_series = "sortable" in a.get("class", "") and not a.get("id")
            if self.in_series:
                self.series_rows.append(0)
        elif tag == "tr" and self.cur is not None:
            self.row = []
        elif tag == "th" and self.row is not None and a.get("scope") == "row":
            self.in_key, self.text = True, ""
        elif tag == "td" and self.row is not None:
            self.row.append(a.get("data-v"))
        if tag == "tr" and self.in_series:
            self.series_rows[-1] += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "pre":
            self.in_errors = False
        elif tag == "th" and self.in_key:
            self.in_key = False
            self.row.append(self.text)
        elif tag == "tr" and self.row is not None:
            if self.row and self.cur is not None:
                self.cur.append(self.row)
            self.row = None
        elif tag == "table":
            self.cur, self.in_series = None, False

    def handle_data(self, data):
        if self.in_key:
            self.text += data
        if self.in_title:
            self.title += data
        if self.in_errors:
            self.errors += data


def parse(path):
    p = Tables()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p


def numbers(page, csv_path, txt_path):
    p = parse(page)
    rows = {r[0]: r[1:] for r in p.tables.get("stab-0", [])}
    with open(csv_path, encoding="utf-8", newline="") as f:
        summary = list(csv.reader(f))[1:]
    if len(rows) != len(summary):
        print(f"types: page {len(rows)}, decode summary {len(summary)}")
    # page: count total share mean median p90 p99 min max stddev
    # csv ns columns: total 12, min 13, mean 14, max 15, median 16, stddev 17, p90 18, p95 19, p99 20
    pairs = [(0, 1), (1, 12), (3, 14), (4, 16), (5, 18), (6, 20), (7, 13), (8, 15), (9, 17)]
    for s in summary:
        r = rows.get(s[0])
        if r is None:
            print(f"type {s[0]!r} missing from the page")
            continue
        for pi, ci in pairs:
            if abs(float(r[pi]) - float(s[ci])) > 0.0015:
                print(f"type {s[0]}: page column {pi} is {r[pi]}, decode summary column {ci} is {s[ci]}")
    txt = open(txt_path, encoding="utf-8").read()
    m = re.search(r"operators: (\d+) .* whole runs: (\d+)", txt)
    ops = p.tables and re.search(r'id="ops-0" data-v="(\d+)"', open(page, encoding="utf-8").read())
    runs = re.search(r'id="executes-0" data-v="(\d+)"', open(page, encoding="utf-8").read())
    if not m or not ops or not runs:
        print("operator or execute counts missing")
    elif (ops.group(1), runs.group(1)) != (m.group(1), m.group(2)):
        print(f"operators/executes: page {ops.group(1)}/{runs.group(1)}, summary {m.group(1)}/{m.group(2)}")


def browser(dom, charts):
    p = parse(dom)
    if p.root.get("data-errors") != "0" or p.errors.strip():
        print(f"errors noted: {p.root.get('data-errors')}: {p.errors.strip()[:300]}")
    if int(p.root.get("data-charts", "0")) < int(charts):
        print(f"charts drawn: {p.root.get('data-charts')}, expected at least {charts}")


def hostile(dom):
    p = parse(dom)
    if "pwned" in p.title or not p.title.startswith("aclsub report"):
        print(f"title changed: {p.title!r}")
    keys = [r[0] for r in p.tables.get("names-0-1", [])]
    if "</script><script>document.title='pwned'</script>" not in keys:
        print(f"the hostile name is not shown as text: {keys!r}")
    if not any("\ufffd" in k for k in keys):
        print("invalid UTF-8 not shown as U+FFFD")
    if "svg" not in open(dom, encoding="utf-8").read():
        print("no chart drawn")


def diff(page):
    p = parse(page)
    rows = p.tables.get("diff-types", [])
    if not rows or rows[0][0] != "MatMul":
        print(f"first diff row: {rows[:1]!r}, expected MatMul")
        return
    changes = [abs(float(r[5])) for r in rows]
    if changes != sorted(changes, reverse=True):
        print(f"diff rows not sorted by the size of the change: {changes}")
    conv = [r for r in rows if r[0] == "Conv"]
    if not conv or conv[0][1:3] != ["4", "2"]:
        print(f"Conv counts A/B: {conv!r}, expected 4 and 2")
    if not p.tables.get("diff-names"):
        print("no diff of operator names")


def diff_counts(page, csv_a, csv_b):
    """A diff page of any two recordings: rows sorted by the size of the change, counts as decode summary's."""
    p = parse(page)
    rows = p.tables.get("diff-types", [])
    if not rows:
        print("no diff of operator types")
        return
    changes = [abs(float(r[5])) for r in rows]
    if changes != sorted(changes, reverse=True):
        print(f"diff rows not sorted by the size of the change: {changes}")
    for side, path in ((1, csv_a), (2, csv_b)):
        with open(path, encoding="utf-8", newline="") as f:
            want = {r[0]: r[1] for r in list(csv.reader(f))[1:]}
        got = {r[0]: r[side] for r in rows if r[side] not in ("", "0", "-")}
        if got != want:
            print(f"recording {side}: counts per type on the page {got}, decode summary {want}")


def bounded(page, most):
    p = parse(page)
    if not p.series_rows:
        print("no series table")
    elif max(p.series_rows) - 1 > int(most):
        print(f"series table of {max(p.series_rows) - 1} rows, more than {most}")


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    {"numbers": numbers, "browser": browser, "hostile": hostile, "diff": diff, "diff_counts": diff_counts,
     "bounded": bounded}[kind](*args)


main()
