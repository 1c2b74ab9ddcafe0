#!/usr/bin/env bash
# Same answers before and after a refactoring: runs a fixed set of `search`, `facets` and `show`
# commands (JSON output) over two indexes and diffs them against the answers saved the first time.
#
#   scripts/same_answers.sh DIR              # first run: build the indexes, save DIR/answers
#                                            # later runs: answer again into DIR/answers.now, diff
#   scripts/same_answers.sh DIR --reindex    # rebuild the indexes with the current binary first
#                                            # (into DIR/idx.now), for changes to what is indexed
#
# The indexes: (a) a generated corpus of 2,000 documents with its 200 bench queries
# (../shared/bench/make_corpus.py, seed 42), (b) the real folders of ../shared/corpora
# (factbook-tip, htdi-federal-cases/cases, uscode-trafficking, pdf-reports) with the tip-dev
# queries. Each query is asked plainly, with --facets and other limits, with filters, and some
# with --expand; `facets` and `show` (the top documents) complete the set. Timings (`took_ms`)
# and record write times (`indexed_at`) are dropped; everything else must be byte-identical.
# TIPDEX=path/to/binary overrides target/release/tipdex (build it first: cargo build --release).
# Two indexes built from the same files may differ in which of two equally scored passages they
# show (ties go by index address, and files are written in parallel): compare a change to what is
# indexed with both binaries on the same rebuilt index (TIPDEX=old-binary on a copy of DIR).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# Answers show paths relative to the working directory: always the repository root.
cd "$here"
dir=${1:?usage: scripts/same_answers.sh DIR [--reindex]}
reindex=${2:-}
bin=${TIPDEX:-$here/target/release/tipdex}
shared=$here/../shared
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release)" >&2; exit 2; }
[ -d "$shared/bench" ] || { echo "skipped: $shared is absent" >&2; exit 0; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

corpus=$dir/gen
if [ ! -f "$corpus/queries.txt" ]; then
    python3 "$shared/bench/make_corpus.py" --out "$corpus" --docs 2000 --seed 42 >/dev/null
fi
real_roots=("$shared/corpora/factbook-tip" "$shared/corpora/htdi-federal-cases/cases"
    "$shared/corpora/uscode-trafficking" "$shared/corpora/pdf-reports")

build_indexes() { # $1 = folder of the two indexes
    rm -rf "$1"
    mkdir -p "$1"
    "$bin" index "$corpus/corpus" --index "$1/gen" >"$1/gen.log" 2>&1 || true
    "$bin" index "${real_roots[@]}" --index "$1/real" >"$1/real.log" 2>&1 || true
}

if [ ! -d "$dir/idx" ]; then
    echo "indexing into $dir/idx" >&2
    build_indexes "$dir/idx"
fi
idx=$dir/idx
if [ "$reindex" = "--reindex" ]; then
    echo "re-indexing into $dir/idx.now" >&2
    build_indexes "$dir/idx.now"
    idx=$dir/idx.now
fi

if [ -d "$dir/answers" ]; then out=$dir/answers.now; else out=$dir/answers; fi
rm -rf "$out"
mkdir -p "$out/raw"

n=0
ask() { # $1 = index name, rest = tipdex arguments; saves exit code, stdout and stderr
    n=$((n + 1))
    local file
    file=$(printf '%s/raw/%05d' "$out" "$n")
    {
        printf '%s\n' "$*"
        set +e
        "$bin" --index "$idx/$1" --color never "${@:2}" 2>"$file.err"
        printf '\nexit %s\n' "$?"
        set -e
        cat "$file.err"
    } >"$file"
    rm -f "$file.err"
}

# Queries: the bench queries (kind<TAB>query) and the tip-dev queries (JSON Lines, "text").
mapfile -t gen_queries < <(grep -v '^#' "$corpus/queries.txt" | cut -f2-)
mapfile -t dev_queries < <(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        print(json.loads(line)["text"])
' "$shared/eval/tip-dev/queries.jsonl")

i=0
for q in "${gen_queries[@]}"; do
    i=$((i + 1))
    ask gen search "$q" --format json
    ask gen search "$q" --format json --facets -n 5 -k 1
    ask gen search "$q" --format json -n 20 -k 3 --source unodc --source ilo --year 2015..2022
    if [ $((i % 10)) -eq 0 ]; then
        ask gen search "$q" --format json --expand
        ask gen facets "$q" --format json --field source --field year --from 2018-06
    fi
done
i=0
for q in "${dev_queries[@]}"; do
    i=$((i + 1))
    ask real search "$q" --format json -n 20
    ask real search "$q" --format json --facets -n 5 -k 4
    ask real search "$q" --format json --plain --year 2010..2019
    ask real search "$q" --format json --from 2020-03 --lang en
    if [ $((i % 5)) -eq 0 ]; then
        ask real search "$q" --format json --expand
        ask real facets "$q" --format json --field source --field tag
    fi
done
ask gen facets --format json
ask real facets --format json
ask real facets --format json --field year --field lang --field tag --field source

# `show` for the top documents of the first queries of each set (ids read from this run's
# answers, so a difference in them already shows above).
for name in gen real; do
    for f in $(grep -l "^$name search " "$out"/raw/* | head -40); do
        python3 - "$f" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
body = text.split("\n", 1)[1].rsplit("\nexit ", 1)[0]
try:
    for hit in json.loads(body).get("hits", [])[:2]:
        print(hit["id"])
except ValueError:
    pass
EOF
    done | sort -u | head -30 >"$out/ids-$name"
    while read -r id; do ask "$name" show "$id" --format json; done <"$out/ids-$name"
    rm -f "$out/ids-$name"
done

# Drop what differs between runs of the same binary (timings, record write times) and the index
# folder in the echoed command line.
python3 - "$out" "$idx" <<'EOF'
import json, os, sys
out, idx = sys.argv[1], sys.argv[2]
def scrub(v):
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items() if k not in ("took_ms", "indexed_at")}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return v
for name in sorted(os.listdir(f"{out}/raw")):
    path = f"{out}/raw/{name}"
    cmd, rest = open(path, encoding="utf-8").read().split("\n", 1)
    body, tail = rest.rsplit("\nexit ", 1)
    try:
        body = json.dumps(scrub(json.loads(body)), ensure_ascii=False, indent=1)
    except ValueError:
        pass
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        f.write(cmd.replace(idx, "IDX") + "\n" + body + "\nexit " + tail)
    os.remove(path)
os.rmdir(f"{out}/raw")
EOF

count=$(ls "$out" | wc -l)
if [ "$out" = "$dir/answers" ]; then
    echo "saved $count answers in $out" >&2
elif diff -r "$dir/answers" "$out" >"$dir/answers.diff"; then
    echo "same answers: $count of $count identical" >&2
else
    echo "DIFFERENT answers: $(grep -c '^diff ' "$dir/answers.diff" || true) files differ (see $dir/answers.diff)" >&2
    exit 1
fi
