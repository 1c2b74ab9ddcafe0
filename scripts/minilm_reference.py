#!/usr/bin/env python3
"""Reference embeddings for tests/fixtures/minilm_reference.json.

An independent numpy reimplementation of all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims, mean
pooling over real tokens, L2 normalised), reading model.safetensors directly and tokenizing
with the `tokenizers` Python package, truncated at 256 tokens as sentence-transformers does.
The Rust encoder (src/semantic/encoder.rs) must match these vectors to cosine >= 0.999.

usage: python3 scripts/minilm_reference.py MODEL_DIR > tests/fixtures/minilm_reference.json
needs: pip install numpy tokenizers
"""
import json
import math
import struct
import sys

import numpy as np
from tokenizers import Tokenizer

SENTENCES = [
    "Victims of trafficking may bring a civil action against the perpetrator.",
    "The survivor sued her former employer for damages.",
    "Forced labour in fishing fleets remains widespread in South-East Asia.",
    "A child cannot consent to being exploited; recruitment by deception is irrelevant.",
    "Immunization rates improved after the program expanded to rural clinics in 2019.",
]

DTYPES = {"F32": np.float32, "I64": np.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DTYPES[meta["dtype"]]).reshape(meta["shape"])
    return out


def layer_norm(x, w, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def encode(w, ids):
    x = w["embeddings.word_embeddings.weight"][ids].astype(np.float64)
    x = x + w["embeddings.position_embeddings.weight"][: len(ids)]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, dim = 12, 32
    for i in range(6):
        p = f"encoder.layer.{i}."
        lin = lambda name, h: h @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q = lin("attention.self.query", x).reshape(-1, heads, dim).transpose(1, 0, 2)
        k = lin("attention.self.key", x).reshape(-1, heads, dim).transpose(1, 0, 2)
        v = lin("attention.self.value", x).reshape(-1, heads, dim).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(dim)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(-1, heads * dim)
        x = layer_norm(lin("attention.output.dense", ctx) + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = gelu(lin("intermediate.dense", x))
        x = layer_norm(lin("output.dense", h) + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    v = x.mean(0)
    return v / np.linalg.norm(v)


def main():
    model_dir = sys.argv[1]
    w = load_safetensors(model_dir + "/model.safetensors")
    tok = Tokenizer.from_file(model_dir + "/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(256)
    out = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        out.append({"text": s, "ids": ids, "embedding": [round(float(x), 6) for x in encode(w, ids)]})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
