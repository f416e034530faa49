#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_big_report.py REPORT COUNT OUT [--from N] [--skip I] [--change I] [--started TIME]:
# a report of the COUNT endpoints N … N+COUNT-1 made from the endpoints of a real small REPORT,
# repeated with distinct hosts (h<i>.example), so each has its own canonical id. --skip leaves
# endpoint I out; --change gives endpoint I another first finding severity and leaf certificate
# fingerprint; --started sets started_at. Written in the writer's layout without building the
# document: each template is dumped once and only its host is replaced, so a 100 MB report takes
# about a second.
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("report")
ap.add_argument("count", type=int)
ap.add_argument("out")
ap.add_argument("--from", dest="first", type=int, default=0)
ap.add_argument("--skip", type=int, default=-1)
ap.add_argument("--change", type=int, default=-1)
ap.add_argument("--started")
a = ap.parse_args()
doc = json.load(open(a.report))


def template(e):
    e = dict(e)
    e["host"] = "@HOST@"
    e["target"] = "%s://@HOST@:%d" % (e["protocol"], e["port"])
    text = json.dumps(e, indent=2, ensure_ascii=True)
    return "\n".join("    " + l for l in text.split("\n")).lstrip()


templates = [template(e) for e in doc["endpoints"]]
e = dict(doc["endpoints"][a.change % len(templates)] if a.change >= 0 else doc["endpoints"][0])
if e.get("findings"):
    f = dict(e["findings"][0])
    f["severity"] = "critical" if f.get("severity") != "critical" else "high"
    e["findings"] = [f] + e["findings"][1:]
if e.get("certificates"):
    c = dict(e["certificates"][0])
    c["sha256_fingerprint"] = "ab" * 32
    e["certificates"] = [c] + e["certificates"][1:]
changed = template(e)
head = dict(doc)
del head["endpoints"]
if a.started:
    head["started_at"] = a.started
head["endpoints"] = []
ht = json.dumps(head, indent=2, ensure_ascii=True)
at = ht.index('"endpoints": []') + len('"endpoints": [')
with open(a.out, "w") as f:
    f.write(ht[:at])
    first = True
    for i in range(a.first, a.first + a.count):
        if i == a.skip:
            continue
        t = changed if i == a.change else templates[i % len(templates)]
        f.write(("\n    " if first else ",\n    ") + t.replace("@HOST@", "h%d.example" % i))
        first = False
    f.write(("\n  " if not first else "") + ht[at:] + "\n")
