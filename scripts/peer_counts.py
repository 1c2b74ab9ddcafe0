#!/usr/bin/env python3
"""Do tipdex and SQLite FTS5 find the same documents? After `scripts/peers.sh DOCS`, compare
tipdex's document count for every query of the run with FTS5's exact count (the harness's
tipdex slot cannot read tipdex's counts, so its summary lists none).

    python3 scripts/peer_counts.py [DOCS]      # DOCS defaults to 20000

Both engines stem (FTS5: Porter; tipdex: Snowball English plus British→American spellings and
acronyms), so small differences are expected; large ones would mean one engine answers a
different question, which would make the latency comparison meaningless.
"""
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared", "bench"))


def main():
    docs = sys.argv[1] if len(sys.argv) > 1 else "20000"
    work = os.path.join(ROOT, "target", "bench", f"peers-{docs}")
    fts5 = os.path.join(work, "results", "warm-fts5.json")
    index = os.path.join(work, "tipdex", "index")
    tipdex = os.path.join(ROOT, "target", "release", "tipdex")
    for need in (fts5, index, tipdex, os.path.join(SHARED, "peers_helper.py")):
        if not os.path.exists(need):
            sys.exit(f"peer_counts: {need} not found; run scripts/peers.sh {docs} first")
    sys.path.insert(0, SHARED)
    from peers_helper import translate  # the same translation the harness gave tipdex

    rows = []
    for q in json.load(open(fts5))["queries"]:
        text, facets = translate("lucene", q["kind"], q["query"])
        argv = [tipdex, "search", text, "--index", index, "--limit", "1", "--format", "json"]
        for key in ("source", "year"):
            if key in facets:
                argv += [f"--{key}", facets[key]]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        rows.append((q["kind"], q["query"], q["hits"], json.loads(out)["total_documents"]))

    same = sum(1 for _, _, f, t in rows if f == t)
    within = sum(1 for _, _, f, t in rows if f and abs(t - f) <= 0.1 * f)
    ratios = [t / f for _, _, f, t in rows if f]
    print(f"{len(rows)} queries: same count {same}, within 10% {within}, "
          f"median tipdex/FTS5 {statistics.median(ratios):.3f}")
    print("| kind | queries | same | within 10% | median ratio |")
    print("|---|---:|---:|---:|---:|")
    for kind in sorted({r[0] for r in rows}):
        rs = [r for r in rows if r[0] == kind]
        rk = [t / f for _, _, f, t in rs if f]
        print(f"| {kind} | {len(rs)} | {sum(1 for r in rs if r[2] == r[3])} | "
              f"{sum(1 for _, _, f, t in rs if f and abs(t - f) <= 0.1 * f)} | "
              f"{statistics.median(rk) if rk else float('nan'):.3f} |")
    worst = sorted(rows, key=lambda r: -abs((r[3] + 1) / (r[2] + 1) - 1))[:5]
    print("largest differences (kind, query, FTS5, tipdex):")
    for r in worst:
        print(f"  {r[0]:7} {r[1]!r:45} {r[2]:>6} {r[3]:>6}")


if __name__ == "__main__":
    main()
