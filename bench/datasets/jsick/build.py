#!/usr/bin/env python3
"""Builds the dedupe pairs (pairs.jsonl) from JSICK's test split.

Usage: build.py JSICK_TEST_TSV OUT_DIR
  JSICK_TEST_TSV: jsick/test.tsv of https://github.com/verypluming/JSICK (CC BY-SA 4.0; the
  English sentences come from SICK, CC BY-NC-SA 3.0).

For each language (en, ja) and each label (entailment, contradiction, neutral), the first 100
pairs in pair_ID order whose label in that language is that label. Each line:
{"id", "lang", "label", "first", "second", "relatedness"}. A memory service that remembers
`first` and then `second` must never merge or update a contradiction (the first statement would
be lost from recall) nor a neutral pair (new information); merging an entailment loses nothing.
Deterministic: the same input gives the same file. Standard library only.
"""
import csv
import json
import sys

PER_LABEL = 100
LABELS = ("entailment", "contradiction", "neutral")


def main(tsv, out):
    with open(tsv, encoding="utf-8", newline="") as f:
        rows = sorted(csv.DictReader(f, delimiter="\t"), key=lambda r: int(r["pair_ID"]))
    lines = []
    for lang, suffix in (("en", "En"), ("ja", "Ja")):
        for label in LABELS:
            picked = [r for r in rows if r[f"entailment_label_{suffix}"] == label][:PER_LABEL]
            assert len(picked) == PER_LABEL, f"only {len(picked)} {lang} {label} pairs"
            for r in picked:
                lines.append({"id": f"{lang}-{r['pair_ID']}", "lang": lang, "label": label,
                              "first": r[f"sentence_A_{suffix}"].strip(), "second": r[f"sentence_B_{suffix}"].strip(),
                              "relatedness": float(r[f"relatedness_score_{suffix}"])})
    with open(f"{out}/pairs.jsonl", "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} pairs")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
