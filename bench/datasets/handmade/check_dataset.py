#!/usr/bin/env python3
"""Validate the hand-made retrieval dataset (memories.jsonl + queries.jsonl).

Standard library only. Prints counts and any errors; exits 1 if there is an error.

Usage: python3 check_dataset.py [DATASET_DIR]   (defaults to this script's folder)
"""
import json
import os
import re
import sys
from collections import Counter

NAMESPACES = {"bench-en", "bench-ja"}
CATEGORIES = ["paraphrase", "keyword", "multi", "temporal", "near_miss"]
MIN_PER_CATEGORY = 10
MIN_MEMORIES = 300
MIN_QUERIES = 100
ID_RE = re.compile(r"^m\d{3,}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# Small stop-word list; only tokens of length >= 4 are considered at all.
STOP_WORDS = {
    "about", "after", "also", "been", "before", "being", "could", "does", "doing",
    "done", "each", "from", "have", "having", "here", "into", "just", "more",
    "most", "much", "only", "other", "over", "same", "should", "some", "such",
    "than", "that", "their", "them", "then", "there", "these", "they", "this",
    "those", "through", "very", "were", "what", "when", "where", "which", "while",
    "will", "with", "would", "your", "yours", "user", "users", "whom", "whose",
}
# Kanji that act as function words in questions; ignored in the Japanese check.
JA_KANJI_STOP = set("何私誰方事時")

errors = []


def err(msg):
    errors.append(msg)


def content_words(text):
    toks = re.findall(r"[a-z]+", text.lower())
    return {t for t in toks if len(t) >= 4 and t not in STOP_WORDS}


def ja_content_units(text):
    """Kanji characters and katakana words (runs of >= 2 katakana)."""
    kanji = {c for c in text if "\u4e00" <= c <= "\u9fff" and c not in JA_KANJI_STOP}
    kata = set(re.findall(r"[\u30a1-\u30fa\u30fc]{2,}", text))
    return kanji | kata


def load_jsonl(path):
    rows = []
    if not os.path.exists(path):
        err(f"missing file: {path}")
        return rows
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{os.path.basename(path)}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{os.path.basename(path)}:{n}: invalid JSON ({e})")
                continue
            if not isinstance(obj, dict):
                err(f"{os.path.basename(path)}:{n}: not a JSON object")
                continue
            rows.append((n, obj))
    return rows


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    mems = load_jsonl(os.path.join(d, "memories.jsonl"))
    qs = load_jsonl(os.path.join(d, "queries.jsonl"))

    # ---- memories
    by_id = {}
    mem_ns = Counter()
    for n, m in mems:
        where = f"memories.jsonl:{n}"
        for k in ("id", "namespace", "content"):
            if k not in m:
                err(f"{where}: missing key '{k}'")
        if not all(k in m for k in ("id", "namespace", "content")):
            continue
        extra = set(m) - {"id", "namespace", "content", "created_at"}
        if extra:
            err(f"{where}: unexpected keys {sorted(extra)}")
        if not isinstance(m["id"], str) or not ID_RE.match(m["id"]):
            err(f"{where}: bad id {m['id']!r}")
        if m["id"] in by_id:
            err(f"{where}: duplicate id {m['id']}")
        if m["namespace"] not in NAMESPACES:
            err(f"{where}: bad namespace {m['namespace']!r}")
        if not isinstance(m["content"], str) or not m["content"].strip():
            err(f"{where}: empty content")
        if "created_at" in m and not (isinstance(m["created_at"], str) and TS_RE.match(m["created_at"])):
            err(f"{where}: created_at not ISO-8601 UTC: {m['created_at']!r}")
        by_id[m["id"]] = m
        mem_ns[m["namespace"]] += 1

    # ---- queries
    q_counts = Counter()  # (namespace, category)
    cat_counts = Counter()
    gold_sizes = Counter()
    paraphrase_checked = 0
    for n, q in qs:
        where = f"queries.jsonl:{n}"
        missing = [k for k in ("namespace", "query", "gold", "category") if k not in q]
        if missing:
            err(f"{where}: missing keys {missing}")
            continue
        ns, text, gold, cat = q["namespace"], q["query"], q["gold"], q["category"]
        if ns not in NAMESPACES:
            err(f"{where}: bad namespace {ns!r}")
        if cat not in CATEGORIES:
            err(f"{where}: bad category {cat!r}")
        if not isinstance(text, str) or not text.strip():
            err(f"{where}: empty query")
            continue
        if not isinstance(gold, list) or not gold or not all(isinstance(g, str) for g in gold):
            err(f"{where}: gold must be a non-empty list of ids")
            continue
        if len(set(gold)) != len(gold):
            err(f"{where}: duplicate gold ids {gold}")
        ok = True
        for g in gold:
            if g not in by_id:
                err(f"{where}: gold id {g} does not exist")
                ok = False
            elif by_id[g]["namespace"] != ns:
                err(f"{where}: gold id {g} is in {by_id[g]['namespace']}, query is in {ns}")
                ok = False
        if cat == "multi" and not 2 <= len(gold) <= 3:
            err(f"{where}: multi query must have 2-3 gold ids, has {len(gold)}")
        if cat == "near_miss" and len(gold) != 1:
            err(f"{where}: near_miss query must have exactly 1 gold id")
        if cat == "keyword" and ok:
            for g in gold:
                if text.lower() not in by_id[g]["content"].lower():
                    err(f"{where}: keyword {text!r} does not appear in gold {g}")
        if cat == "paraphrase" and ok:
            paraphrase_checked += 1
            qw = content_words(text)
            for g in gold:
                shared = qw & content_words(by_id[g]["content"])
                if shared:
                    err(f"{where}: paraphrase query shares content words {sorted(shared)} with {g}")
                if ns == "bench-ja":
                    shared_ja = ja_content_units(text) & ja_content_units(by_id[g]["content"])
                    if shared_ja:
                        err(f"{where}: paraphrase query shares kanji/katakana {sorted(shared_ja)} with {g}")
        q_counts[(ns, cat)] += 1
        cat_counts[cat] += 1
        gold_sizes[len(gold)] += 1

    # ---- totals
    for c in CATEGORIES:
        if cat_counts[c] < MIN_PER_CATEGORY:
            err(f"category {c} has {cat_counts[c]} queries (< {MIN_PER_CATEGORY})")
    if len(by_id) < MIN_MEMORIES:
        err(f"only {len(by_id)} memories (< {MIN_MEMORIES})")
    n_q = sum(cat_counts.values())
    if n_q < MIN_QUERIES:
        err(f"only {n_q} queries (< {MIN_QUERIES})")

    # ---- report
    print(f"memories: {len(by_id)}  " + "  ".join(f"{ns}={mem_ns[ns]}" for ns in sorted(NAMESPACES)))
    print(f"queries:  {n_q}  " + "  ".join(
        f"{ns}={sum(v for (n2, _), v in q_counts.items() if n2 == ns)}" for ns in sorted(NAMESPACES)))
    print(f"{'category':<12}" + "".join(f"{ns:>10}" for ns in sorted(NAMESPACES)) + f"{'total':>8}")
    for c in CATEGORIES:
        print(f"{c:<12}" + "".join(f"{q_counts[(ns, c)]:>10}" for ns in sorted(NAMESPACES)) + f"{cat_counts[c]:>8}")
    print("gold list sizes: " + ", ".join(f"{k} id(s): {v}" for k, v in sorted(gold_sizes.items())))
    print(f"paraphrase queries checked for shared content words: {paraphrase_checked}")
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  ERROR " + e)
        return 1
    print("OK: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
