#!/usr/bin/env python3
"""Bulk-import throughput against a running service (until the benchmark harness replaces it).

Posts 5 batches of 100 unique generated memories to POST /api/v1/memories:batch with dedupe on,
then 5 with dedupe off, into the persona "bulk", and prints memories/s. Standard library only.
Usage: python3 bench/bulk_import.py [base_url]   (default http://127.0.0.1:26262)
"""
import json
import random
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:26262"
WHO = ["Alice", "Bob", "Chen", "Dana", "Emeka", "Fatima", "Goro", "Hana"]
WHAT = ["PostgreSQL", "Kotlin", "the billing service", "dark mode", "Rust", "Terraform", "GraphQL", "Kafka"]


def post(batch, dedupe):
    req = urllib.request.Request(BASE + "/api/v1/memories:batch",
                                 data=json.dumps({"dedupe": dedupe, "memories": batch}).encode(),
                                 headers={"Content-Type": "application/json", "X-Persona": "bulk"})
    t = time.perf_counter()
    reply = json.load(urllib.request.urlopen(req, timeout=300))
    return time.perf_counter() - t, reply


def main():
    random.seed(1)
    n = 0
    for dedupe in (True, False):
        total, count = 0.0, 0
        for _ in range(5):
            batch = [{"content": f"{random.choice(WHO)} prefers {random.choice(WHAT)} for ticket {n + i} "
                                 f"in sprint {random.randint(1, 99)}"} for i in range(100)]
            n += 100
            dt, reply = post(batch, dedupe)
            total += dt
            count += len(reply["results"])
        print(f"dedupe={dedupe}: {count} memories in {total:.2f} s = {count / total:.0f} memories/s")


if __name__ == "__main__":
    main()
