#!/usr/bin/env python3
"""Builds the conversational retrieval set from the hand-written sources, and checks it.

source/<persona>.txt holds sessions of turns ("## s01 <ISO start>" then "U: text {label}" /
"A: text"); source/<persona>.questions.txt holds "category | asked_at | question | labels".
Each turn becomes one memory (id <persona>-sNN-tNN, session_id <persona>-sNN, created_at one
minute after the previous turn); each question one query whose gold ids are its labels' turns.

  python3 bench/datasets/conversations/build.py           # writes memories.jsonl, queries.jsonl
  python3 bench/datasets/conversations/build.py --check   # fails if the files are stale or wrong
Standard library only.
"""
import datetime
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATEGORIES = {"single", "multi", "temporal", "open"}
TURN = re.compile(r"^(U|A): (.+?)(?:\s+\{([a-z0-9-]+)\})?$")
SESSION = re.compile(r"^## (s\d\d) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")


def fail(msg):
    sys.exit(f"conversations dataset: {msg}")


def parse_persona(path):
    persona = path.stem
    namespace = None
    memories, labels = [], {}
    session, start, turn = None, None, 0
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# namespace:"):
            namespace = line.split(":", 1)[1].strip()
        elif line.startswith("## "):
            m = SESSION.match(line)
            if not m:
                fail(f"{path.name}:{n}: bad session header {line!r}")
            session, turn = m.group(1), 0
            start = datetime.datetime.strptime(m.group(2), "%Y-%m-%dT%H:%M:%SZ")
        elif line.startswith("#"):
            continue
        else:
            m = TURN.match(line)
            if not m or session is None:
                fail(f"{path.name}:{n}: expected 'U: text {{label}}' or 'A: text' inside a session: {line!r}")
            turn += 1
            mid = f"{persona}-{session}-t{turn:02d}"
            at = start + datetime.timedelta(minutes=turn - 1)
            memories.append({"id": mid, "namespace": namespace, "session_id": f"{persona}-{session}",
                             "speaker": "user" if m.group(1) == "U" else "assistant",
                             "content": m.group(2), "created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})
            if m.group(3):
                if m.group(3) in labels:
                    fail(f"{path.name}:{n}: label {m.group(3)} used twice")
                labels[m.group(3)] = mid
    if namespace is None:
        fail(f"{path.name}: no '# namespace:' line")
    return namespace, memories, labels


def parse_questions(path, namespace, labels):
    queries = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            fail(f"{path.name}:{n}: expected 'category | asked_at | question | labels'")
        category, asked_at, question, gold = parts
        if category not in CATEGORIES:
            fail(f"{path.name}:{n}: unknown category {category}")
        datetime.date.fromisoformat(asked_at)
        ids = []
        for label in (g.strip() for g in gold.split(",")):
            if label not in labels:
                fail(f"{path.name}:{n}: unknown label {label}")
            ids.append(labels[label])
        queries.append({"namespace": namespace, "query": question, "gold": ids, "category": category,
                        "asked_at": asked_at + "T23:59:59Z"})
    return queries


def build():
    memories, queries = [], []
    for source in sorted((HERE / "source").glob("*.txt")):
        if source.name.endswith(".questions.txt"):
            continue
        namespace, ms, labels = parse_persona(source)
        qs = parse_questions(source.with_name(source.stem + ".questions.txt"), namespace, labels)
        for q in qs:  # a question is asked after what it is about was said
            last = max(m["created_at"] for m in ms if m["id"] in q["gold"])
            if q["asked_at"] < last:
                fail(f"{source.stem}: '{q['query']}' is asked on {q['asked_at']}, before its answer ({last})")
        memories += ms
        queries += qs
    if len(memories) < 500 or len(queries) < 150:
        fail(f"{len(memories)} turns and {len(queries)} questions; the set needs at least 500 and 150")
    return memories, queries


def lines(items):
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


def main():
    memories, queries = build()
    out = {"memories.jsonl": lines(memories), "queries.jsonl": lines(queries)}
    if "--check" in sys.argv:
        for name, text in out.items():
            if not (HERE / name).exists() or (HERE / name).read_text(encoding="utf-8") != text:
                fail(f"{name} is not what build.py makes from source/: run build.py")
    else:
        for name, text in out.items():
            (HERE / name).write_text(text, encoding="utf-8")
    cats = {}
    for q in queries:
        cats[q["category"]] = cats.get(q["category"], 0) + 1
    print(f"conversations dataset: {len(memories)} turns in {len({m['session_id'] for m in memories})} sessions, "
          f"{len(queries)} questions {dict(sorted(cats.items()))}: ok")


if __name__ == "__main__":
    main()
