#!/usr/bin/env python3
"""Builds the JSQuAD retrieval set (memories.jsonl, queries.jsonl) from JGLUE's JSQuAD v1.3.

Usage: build.py VALID_JSON TEST_JSON OUT_DIR
  VALID_JSON / TEST_JSON: datasets/jsquad-v1.3/valid-v1.3.json and test-v1.3.json of
  https://github.com/yahoojapan/JGLUE (CC BY-SA 4.0).

Every paragraph of both files becomes a memory ("【title】context"); 300 questions, the first
question of every 7th paragraph in id order, become the queries, each with its own paragraph as
the only gold memory. A query's category says how much of it can be found by matching text:
"overlap" when at least 65% of its character bigrams occur in its paragraph, else "reworded"
(about the lowest quarter).
Deterministic: the same input gives the same files. Standard library only.
"""
import json
import re
import sys

QUERIES = 300
STEP = 7
REWORDED_BELOW = 0.65
WORD = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff\uff10-\uff19\uff21-\uff5a]")


def bigrams(text):
    chars = [c for c in text if WORD.match(c)]
    return {a + b for a, b in zip(chars, chars[1:])}


def main(valid, test, out):
    paragraphs = []
    for path in (valid, test):
        with open(path, encoding="utf-8") as f:
            for article in json.load(f)["data"]:
                for p in article["paragraphs"]:
                    title, _, body = p["context"].partition(" [SEP] ")
                    pid = p["qas"][0]["id"].rsplit("q", 1)[0]
                    paragraphs.append((pid, title.strip(), body.strip(), p["qas"]))
    paragraphs.sort(key=lambda p: p[0])
    ids = [p[0] for p in paragraphs]
    assert len(ids) == len(set(ids)), "paragraph ids must be unique"
    with open(f"{out}/memories.jsonl", "w", encoding="utf-8") as f:
        for pid, title, body, _ in paragraphs:
            f.write(json.dumps({"id": "jsq-" + pid, "namespace": "jsquad", "content": f"【{title}】{body}"},
                               ensure_ascii=False) + "\n")
    queries = []
    for pid, title, body, qas in paragraphs[::STEP]:
        q = qas[0]["question"].strip()
        qb = bigrams(q)
        share = len(qb & bigrams(title + body)) / max(1, len(qb))
        queries.append({"namespace": "jsquad", "query": q, "gold": ["jsq-" + pid],
                        "category": "overlap" if share >= REWORDED_BELOW else "reworded", "source_id": qas[0]["id"]})
        if len(queries) == QUERIES:
            break
    with open(f"{out}/queries.jsonl", "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    reworded = sum(q["category"] == "reworded" for q in queries)
    print(f"{len(paragraphs)} memories, {len(queries)} queries ({reworded} reworded)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
