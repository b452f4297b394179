"""PyTorch peer of `goe bench generate --model <text LM>`: the same class-conditional Transformer language
model (architecture and weights of the zoo model, loaded from its `lm.safetensors`), sampling tokens
autoregressively with a key/value cache on CPU at softmax temperature T.

    python3 bench/peer/lm_generate.py --weights zoo/brown-lm/lm.safetensors --config '{...}'
Prints one JSON object on stdout. With --check FILE ({"prefixes": [[id, ...], ...], "positions": [t, ...]},
prefixes of equal length) it prints instead the next-token logits after each prefix's first t + 1 tokens,
computed both with the cache (token by token) and without it (causal mask over the whole prefix), for
`bench/generate-lm.ts` to compare with goe's own.
"""
import argparse
import json
import math
import os
import sys
import platform
import time

import torch

# The shared reader sits beside this script (also when it is run through runpy, which adds no path).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_safetensors  # noqa: E402


def positional_encoding(n, d):
    """Sinusoidal positions (Vaswani et al. 2017, §3.5) as generators/lm/model.ts: sin on even, cos on odd."""
    pos = torch.arange(n, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)
    angle = pos / 10000 ** (i / d)
    pe = torch.zeros(n, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)[:, : d // 2]
    return pe.float()


class Lm:
    """generators/lm/model.ts in PyTorch: embedding·√d + positions → post-norm encoder layers (fused qkv
    x @ W, heads as reshape [B, T, H, d/H], ReLU feed-forward, layer norm ε = 1e-5) → untied decoder."""

    def __init__(self, w, c):
        self.w, self.c = w, c
        self.d, self.h = c["dModel"], c["heads"]
        self.dh = self.d // self.h
        self.pe = positional_encoding(c["length"] + 1, self.d)

    def norm(self, x, name):
        return torch.nn.functional.layer_norm(x, (self.d,), self.w[f"{name}.gain"], self.w[f"{name}.bias"], 1e-5)

    def layer(self, l, x, attend):
        w, p = self.w, f"layers.{l}."
        b, t, d = x.shape
        qkv = torch.addmm(w[f"{p}qkv.bias"], x.reshape(-1, d), w[f"{p}qkv.weight"]).view(b, t, 3, self.h, self.dh)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))  # [B, H, T, dh]
        a = attend(q, k, v).transpose(1, 2).reshape(b * t, d)
        a = torch.addmm(w[f"{p}out.bias"], a, w[f"{p}out.weight"])
        h = self.norm(x.reshape(-1, d) + a, f"{p}norm1")
        f = torch.addmm(w[f"{p}ff2.bias"], torch.relu(torch.addmm(w[f"{p}ff1.bias"], h, w[f"{p}ff1.weight"])), w[f"{p}ff2.weight"])
        return self.norm(h + f, f"{p}norm2").view(b, t, d)

    def embed(self, ids, offset):
        return self.w["embedding"][ids] * math.sqrt(self.d) + self.pe[offset : offset + ids.shape[1]]

    def decode(self, x):
        return torch.addmm(self.w["decoder.bias"], x.reshape(-1, self.d), self.w["decoder.weight"])

    def logits(self, ids):
        """Logits [B·T, V] of every position of ids [B, T] under a causal mask (no cache)."""
        t = ids.shape[1]
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed(ids, 0)
        for l in range(self.c["layers"]):
            x = self.layer(l, x, lambda q, k, v: torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.dh) + mask, -1) @ v)
        return self.decode(x)

    def cache(self, batch, length):
        """Preallocated keys and values [layers, 2, B, H, length, dh], written in place step by step."""
        return torch.empty(self.c["layers"], 2, batch, self.h, length, self.dh)

    def step(self, ids, cache, t):
        """Logits [B, V] of the token after ids [B] at position t; keys and values of t go into `cache`."""
        x = self.embed(ids[:, None], t)
        scale = 1 / math.sqrt(self.dh)

        for l in range(self.c["layers"]):
            def attend(q, k, v, l=l):
                cache[l, 0, :, :, t : t + 1] = k
                cache[l, 1, :, :, t : t + 1] = v
                keys, values = cache[l, 0, :, :, : t + 1], cache[l, 1, :, :, : t + 1]
                return torch.softmax((q @ keys.transpose(-1, -2)) * scale, -1) @ values

            x = self.layer(l, x, attend)
        return self.decode(x)


@torch.no_grad()
def sample(lm, c, count, batch, temperature, gen):
    """Draws `count` samples of c["length"] tokens, `batch` rows at a time; returns the token count."""
    length, specials = c["length"], c["specials"]
    class_tokens = torch.tensor(c["classTokens"])
    tokens = 0
    for done in range(0, count, batch):
        n = min(batch, count - done)
        ids = class_tokens[torch.randint(0, len(class_tokens), (n,), generator=gen)]
        cache = lm.cache(n, length)
        out = torch.empty(n, length, dtype=torch.long)
        for t in range(length):
            logits = lm.step(ids, cache, t)
            # As goe's sampler: special tokens (class tokens) are never drawn; `<unk>` (id 0) is.
            logits[:, 1:specials] = float("-inf")
            ids = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=gen)[:, 0]
            out[:, t] = ids
        tokens += n * length
    return tokens


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--count", type=int, default=256)
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--check", help="JSON file {prefixes, positions}: print next-token logits and exit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    c = json.loads(args.config)
    lm = Lm(load_safetensors(args.weights), c)
    if args.check:
        d = json.load(open(args.check))
        ids, positions = torch.tensor(d["prefixes"]), d["positions"]
        n, t_len = ids.shape
        with torch.no_grad():
            cache = lm.cache(n, t_len)
            steps = [lm.step(ids[:, t], cache, t) for t in range(t_len)]
            full = lm.logits(ids).view(n, t_len, -1)
        print(json.dumps({
            "cached": [[steps[t][r].tolist() for t in positions] for r in range(n)],
            "full": [[full[r, t].tolist() for t in positions] for r in range(n)],
        }))
        return
    gen = torch.Generator().manual_seed(0)
    sample(lm, c, args.batch, args.batch, args.temperature, gen)  # warm-up
    start = time.perf_counter()
    tokens = sample(lm, c, args.count, args.batch, args.temperature, gen)
    elapsed = time.perf_counter() - start
    print(json.dumps({"name": "pytorch", "version": torch.__version__, "python": platform.python_version(),
                      "threads": torch.get_num_threads(),
                      "tokensPerSec": tokens / elapsed, "tokens": tokens, "seconds": elapsed}))


if __name__ == "__main__":
    main()
