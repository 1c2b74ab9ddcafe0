#!/usr/bin/env bash
# Side by side: tipdex beside ripgrep, SQLite FTS5, tantivy-cli, Xapian and Recoll on one
# generated corpus, in one run (the harness is ../shared/bench/peers.sh; see BENCHMARKS.md).
#
#   scripts/peers.sh [DOCS]        # DOCS defaults to 2000; 20000 takes about 20 min on 2 cores
#   PEERS="tipdex hf" scripts/peers.sh 20000   # only some steps (names as in peers.sh)
#
# The corpus is cached in target/bench/corpus-DOCS (make_corpus.py --seed 42, the same one the
# cargo benches use); results go to target/bench/peers-DOCS/results/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-2000}
SHARED=${SHARED:-../shared/bench}
if [[ ! -f $SHARED/peers.sh ]]; then
    echo "scripts/peers.sh: $SHARED/peers.sh not found; set SHARED to the folder holding peers.sh and make_corpus.py" >&2
    exit 2
fi
cargo build --release --locked --quiet
OUT=$PWD/target/bench/corpus-$DOCS
if [[ ! -f $OUT/queries.txt ]]; then
    python3 "$SHARED/make_corpus.py" --out "$OUT" --docs "$DOCS" --seed 42
fi
W=$PWD/target/bench/peers-$DOCS
TIPDEX_BIN=$PWD/target/release/tipdex bash "$SHARED/peers.sh" "$OUT/corpus" "$OUT/queries.txt" "$W"
echo "summary: $W/results/summary.md"
