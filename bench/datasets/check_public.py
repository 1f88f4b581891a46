#!/usr/bin/env python3
"""Checks the datasets built from public sources (jsquad, jsick) are whole and well-formed:
unique ids, every gold id present, the expected counts and labels, the licence beside the files."""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
problems = []


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def need(cond, what):
    if not cond:
        problems.append(what)


jsquad = os.path.join(HERE, "jsquad")
memories = jsonl(os.path.join(jsquad, "memories.jsonl"))
queries = jsonl(os.path.join(jsquad, "queries.jsonl"))
ids = [m["id"] for m in memories]
need(len(ids) == len(set(ids)) == 2304, f"jsquad: {len(ids)} memories ({len(set(ids))} unique), expected 2304")
need(all(m["namespace"] == "jsquad" and m["content"].strip() for m in memories), "jsquad: a memory without text or namespace")
need(len(queries) == 300, f"jsquad: {len(queries)} queries, expected 300")
known = set(ids)
for q in queries:
    need(q["query"].strip() != "", f"jsquad: empty query {q}")
    need(all(g in known for g in q["gold"]) and q["gold"], f"jsquad: gold not among the memories: {q['gold']}")
    need(q["category"] in ("overlap", "reworded"), f"jsquad: unknown category {q['category']}")

pairs = jsonl(os.path.join(HERE, "jsick", "pairs.jsonl"))
counts = collections.Counter((p["lang"], p["label"]) for p in pairs)
need(len(pairs) == 600 and set(counts.values()) == {100} and len(counts) == 6, f"jsick: counts {dict(counts)}")
need(len({p["id"] for p in pairs}) == len(pairs), "jsick: duplicate pair ids")
need(all(p["first"].strip() and p["second"].strip() for p in pairs), "jsick: a pair with an empty sentence")

for d in ("jsquad", "jsick"):
    for f in ("LICENSE", "README.md", "build.py"):
        need(os.path.isfile(os.path.join(HERE, d, f)), f"{d}: {f} missing")

if problems:
    print("public datasets: " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"public datasets ok: jsquad {len(memories)} memories / {len(queries)} queries, jsick {len(pairs)} pairs")
