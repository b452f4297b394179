"""PyTorch peer of `goe bench generate --model ID` for an imported generator: the same network and weights,
built by a user's Python module (`build(weights_path) -> torch.nn.Module`, e.g. bench/peer/mnist_mlp_gan.py),
sampling batches of z ~ N(0, σ²I) on CPU and mapping the output range onto uint8 pixels, as goe does.

    python3 bench/peer/imported_generate.py --module bench/peer/mnist_mlp_gan.py --weights G.pt \
        --latent-shape 64 --range=-1,1 --batch 256 --sigma2 50 --seconds 5 [--check z.json]
With --check, prints the module's output for the latents in z.json ({"z": [...], "n": N}) instead of timing.
Prints one JSON object on stdout.
"""
import argparse
import json
import runpy
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--module", required=True)
p.add_argument("--weights", required=True)
p.add_argument("--latent-shape", required=True)
p.add_argument("--range", required=True)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--sigma2", type=float, default=50)
p.add_argument("--seconds", type=float, default=5)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--check")
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
model = runpy.run_path(a.module)["build"](a.weights).eval()
shape = [int(s) for s in a.latent_shape.split(",")]
lo, hi = (float(s) for s in a.range.split(","))

if a.check:
    with open(a.check) as f:
        spec = json.load(f)
    with torch.no_grad():
        z = torch.tensor(spec["z"], dtype=torch.float32).view(spec["n"], *shape)
        print(json.dumps({"out": model(z).reshape(-1).tolist()}))
    raise SystemExit(0)


def batch():
    with torch.no_grad():
        z = torch.randn(a.batch, *shape) * a.sigma2 ** 0.5
        x = model(z)
        return (((x - lo) / (hi - lo)).clamp(0, 1) * 255).round().to(torch.uint8)


for _ in range(2):  # warm-up
    batch()
images, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < a.seconds or images < 3 * a.batch:
    batch()
    images += a.batch
elapsed = time.perf_counter() - t0
print(json.dumps({"name": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                  "imagesPerSec": images / elapsed}))
