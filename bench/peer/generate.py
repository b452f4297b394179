"""PyTorch peer of `goe bench generate`: the same class-conditional generator (architecture and weights of
the zoo model, loaded from its safetensors file), sampling batches of z ~ N(0, σ²I) on CPU.

    python3 bench/peer/generate.py --weights zoo/fashion-mnist-cgan/generator.safetensors --config '{...}'
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def load_safetensors(path):
    # The safetensors package is not in Debian; the format is a u64 header length, JSON, then raw bytes.
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).reshape(meta["shape"]).copy())
    return out


class Generator(nn.Module):
    """generators/cgan/model.ts in PyTorch: fc([z, onehot y]) → 7×7×2g → CBN → ReLU → ConvT → CBN → ReLU → ConvT → tanh."""

    def __init__(self, w, c):
        super().__init__()
        self.c = c
        self.w = w

    def cbn(self, x, y, name):
        mean, var = self.w[f"{name}.mean"], self.w[f"{name}.var"]
        gamma = y @ self.w[f"{name}.gamma"]
        beta = y @ self.w[f"{name}.beta"]
        xhat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + 1e-5)
        return xhat * gamma[:, :, None, None] + beta[:, :, None, None]

    def forward(self, z, y):
        c, w = self.c, self.w
        g2 = 2 * c["gWidth"]
        h = torch.cat([z, y], 1) @ w["fc.w"] + w["fc.b"]
        h = h.view(-1, c["height"] // 4, c["width"] // 4, g2).permute(0, 3, 1, 2)  # NHWC → NCHW
        h = torch.relu(self.cbn(h, y, "bn0"))
        # TF.js conv2dTranspose filters are [kh, kw, out, in]; PyTorch wants [in, out, kh, kw].
        # 'same' padding with stride 2 and kernel 4 is padding 1 on both sides.
        h = nn.functional.conv_transpose2d(h, w["up1.w"].permute(3, 2, 0, 1), w["up1.b"], stride=2, padding=1)
        h = torch.relu(self.cbn(h, y, "bn1"))
        h = nn.functional.conv_transpose2d(h, w["up2.w"].permute(3, 2, 0, 1), w["up2.b"], stride=2, padding=1)
        return torch.tanh(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--sigma2", type=float, default=50.0)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    c = json.loads(args.config)
    g = Generator(load_safetensors(args.weights), c)
    n = args.batch
    gen = torch.Generator().manual_seed(0)

    @torch.no_grad()
    def batch():
        z = torch.randn(n, c["latentDim"], generator=gen) * args.sigma2 ** 0.5
        y = nn.functional.one_hot(torch.randint(0, c["numClasses"], (n,), generator=gen), c["numClasses"]).float()
        x = g(z, y)
        # The same output work as goe: NHWC uint8.
        return ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous()

    for _ in range(2):
        batch()
    images, start = 0, time.perf_counter()
    while True:
        batch()
        images += n
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds and images >= 3 * n:
            break
    print(json.dumps({"name": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                      "imagesPerSec": images / elapsed, "images": images, "seconds": elapsed}))


if __name__ == "__main__":
    main()
