#!/usr/bin/env bash
# Load test of `tipdex serve` with wrk (Debian package `wrk`) on the 20,000-document bench
# corpus: the bench queries at 1, 8 and 64 connections, then the same at 8 connections while
# another 8 send hostile queries (prefix expansions, the longest and widest queries the caps
# allow, queries over a cap; the costly ones run in their own lane, and are answered 503 when
# its queue is full: wrk's "Non-2xx" line). Prints wrk's figures and the server's peak RSS.
#   scripts/serve_load.sh [DOCS] [SECONDS]     (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-20000}
SECS=${2:-15}
WORK=target/bench
CORPUS=$WORK/corpus-$DOCS
INDEX=$WORK/tipdex-$DOCS
BIN=target/release/tipdex
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 2; }
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
if [ ! -f "$CORPUS/manifest.json" ]; then
  python3 ../shared/bench/make_corpus.py --docs "$DOCS" --seed 42 --force --out "$CORPUS"
fi
"$BIN" index --quiet --index "$INDEX" "$CORPUS/corpus"

LUA=$(mktemp -d)
trap 'rm -rf "$LUA"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true' EXIT
# The bench's query classes written as tipdex queries (as benches/query.rs does), URL-encoded.
python3 - "$CORPUS/queries.txt" > "$LUA/normal.txt" <<'PY'
import sys, urllib.parse
for line in open(sys.argv[1]):
    if line.startswith('#') or '\t' not in line: continue
    kind, q = line.rstrip('\n').split('\t', 1)
    words = [w for w in q.split() if ':' not in w]
    if kind == 'and': q = ' '.join('+' + w for w in words)
    elif kind == 'or': q = ' OR '.join(words)
    elif kind == 'phrase': q = '"%s"' % q
    elif kind == 'filter':
        q = ' '.join([w for w in q.split() if ':' in w] + ['+' + w for w in words])
    print('/api/search?facets=all&q=' + urllib.parse.quote(q))
PY
python3 - > "$LUA/hostile.txt" <<'PY'
import urllib.parse
qs = ['a*', 't*', 's* p* c*', 'traffick* OR vict* OR labo*',
      ' '.join('w%d' % i for i in range(128)),            # 128 distinct clauses: the cap
      ' '.join('w%d' % i for i in range(129)),            # one over: refused
      '"' + ' '.join(['the'] * 300) + '"',
      '+a* +b* +c* +d* +e* +f* +g* +h*',
      'x' * 8000]
for q in qs:
    print('/api/search?facets=all&limit=100&passages=10&q=' + urllib.parse.quote(q))
PY
cat > "$LUA/paths.lua" <<'LUA'
local paths = {}
local file = os.getenv("PATHS")
for line in io.lines(file) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

"$BIN" serve --index "$INDEX" --addr 127.0.0.1:0 > "$LUA/addr" 2>"$LUA/err" &
PID=$!
for _ in $(seq 100); do grep -q http "$LUA/addr" 2>/dev/null && break; sleep 0.1; done
URL=$(sed 's#.*\(http://[^/]*\)/.*#\1#' "$LUA/addr")
echo "server $URL (pid $PID), $(wc -l < "$LUA/normal.txt") normal and $(wc -l < "$LUA/hostile.txt") hostile queries"
# wrk's own 2 s timeout would count a slow answer (64 connections on a busy 2-core machine) as
# an error; 10 s leaves errors to the server, and slow answers show in the latencies.
run() { # connections, paths file, seconds
  PATHS=$2 wrk -t "$(( $1 < 2 ? 1 : 2 ))" -c "$1" -d "${3}s" --timeout 10s --latency \
    -s "$LUA/paths.lua" "$URL"
}
for c in 1 8 64; do
  echo "== normal queries, $c connections"
  run "$c" "$LUA/normal.txt" "$SECS"
done
echo "== normal queries, 8 connections, while 8 more send hostile queries"
run 8 "$LUA/hostile.txt" "$SECS" > "$LUA/hostile.out" &
HOSTILE=$!
run 8 "$LUA/normal.txt" "$SECS"
wait "$HOSTILE"
echo "== (the hostile connections themselves)"
cat "$LUA/hostile.out"
echo "== server peak RSS: $(grep VmHWM /proc/$PID/status)"
