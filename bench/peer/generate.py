"""PyTorch peer of `goe bench generate`: the same class-conditional generator (architecture and weights of
the zoo model, loaded from its safetensors file), sampling batches of z ~ N(0, σ²I) on CPU.

    python3 bench/peer/generate.py --weights zoo/fashion-mnist-cgan/generator.safetensors --config '{...}'
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import sys
import time

import torch

# The shared reader sits beside this script (also when it is run through runpy, which adds no path).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_safetensors  # noqa: E402
from torch import nn


def conv_transpose(x, w, b):
    """conv_transpose2d(x, w, b, stride=2, padding=1) for 4×4 kernels, computed as zero insertion + conv2d.

    Debian's PyTorch 1.13 CPU build runs conv_transpose2d through a slow path (~3 s for 256×64×7×7 → 14×14,
    measured), while conv2d goes through oneDNN; this exact rewrite (Dumoulin & Visin 2016, "A guide to
    convolution arithmetic", §4.5) is PyTorch's fastest way here, so the peer is not handicapped.
    """
    n, c, h, wd = x.shape
    z = x.new_zeros(n, c, 2 * h - 1, 2 * wd - 1)
    z[:, :, ::2, ::2] = x
    k = w.shape[-1]
    return nn.functional.conv2d(z, w.flip(2, 3).transpose(0, 1), b, padding=k - 1 - 1)


def stages_of(c):
    """Stride-2 stages of the config (manifests written before RGB support have none: the 28×28 layout's 2)."""
    return c.get("stages", 2)


class Generator(nn.Module):
    """generators/cgan/model.ts in PyTorch: fc([z, onehot y]) → (H, W)/2^stages × g·2^(stages−1) → CBN → ReLU →
    (ConvT → CBN → ReLU) × (stages − 1) → ConvT → tanh (28×28: 7×7×2g → 14×14×g → 28×28)."""

    def __init__(self, w, c):
        super().__init__()
        self.c = c
        # TF.js conv2dTranspose filters are [kh, kw, out, in]; PyTorch wants [in, out, kh, kw] (contiguous,
        # or every call takes a slow path).
        for k in range(1, stages_of(c) + 1):
            w[f"up{k}.w"] = w[f"up{k}.w"].permute(3, 2, 0, 1).contiguous()
        self.w = w

    def cbn(self, x, y, name):
        mean, var = self.w[f"{name}.mean"], self.w[f"{name}.var"]
        gamma = y @ self.w[f"{name}.gamma"]
        beta = y @ self.w[f"{name}.beta"]
        xhat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + 1e-5)
        return xhat * gamma[:, :, None, None] + beta[:, :, None, None]

    def forward(self, z, y):
        c, w = self.c, self.w
        s = stages_of(c)
        h = torch.cat([z, y], 1) @ w["fc.w"] + w["fc.b"]
        h = h.view(-1, c["height"] >> s, c["width"] >> s, c["gWidth"] << (s - 1)).permute(0, 3, 1, 2)  # NHWC → NCHW
        h = torch.relu(self.cbn(h, y, "bn0"))
        for k in range(1, s + 1):
            # 'same' padding with stride 2 and kernel 4 is padding 1 on both sides.
            h = self.up(h, w[f"up{k}.w"], w[f"up{k}.b"])
            if k < s:
                h = torch.relu(self.cbn(h, y, f"bn{k}"))
        return torch.tanh(h)

    def up(self, h, weight, bias):
        return conv_transpose(h, weight, bias)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--sigma2", type=float, default=50.0)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--check", help="JSON file {z, y}: print the generator's output for them and exit")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    c = json.loads(args.config)
    g = Generator(load_safetensors(args.weights), c)
    with torch.no_grad():
        # The rewrite must equal PyTorch's own transposed convolution.
        x = torch.randn(2, 2 * c["gWidth"], 7, 7)
        ref = nn.functional.conv_transpose2d(x, g.w["up1.w"], g.w["up1.b"], stride=2, padding=1)
        assert torch.allclose(conv_transpose(x, g.w["up1.w"], g.w["up1.b"]), ref, atol=1e-4), "conv_transpose rewrite differs"
    if args.check:
        d = json.load(open(args.check))
        with torch.no_grad():
            out = g(torch.tensor(d["z"], dtype=torch.float32), torch.tensor(d["y"], dtype=torch.float32))
        print(json.dumps({"x": out.permute(0, 2, 3, 1).reshape(-1).tolist()}))
        return
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
