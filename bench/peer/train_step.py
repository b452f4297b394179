"""PyTorch peer of `goe bench train-step`: the same reference CNN, batch, optimiser and loss, on CPU.

Prints one JSON object on stdout. Run by bench/train-step.ts; usable alone:
    python3 bench/peer/train_step.py --batch 128 --seconds 5
"""
import argparse
import json
import os
import time

import torch
from torch import nn


def reference_cnn() -> nn.Module:
    # Mirrors bench/reference-cnn.ts: conv3x3(16, same) → pool2 → conv3x3(32, same, stride 2) → fc128 → fc10.
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def ref_cnn() -> nn.Module:
    # Mirrors trainer/models/ref-cnn.ts (the DESIGN.md reference): conv3x3(32, same) → pool2 → conv3x3(64, same)
    # → pool2 → fc128 → fc10.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--arch", choices=["small-cnn", "ref-cnn"], default="small-cnn")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = ref_cnn() if args.arch == "ref-cnn" else reference_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds and steps >= 3:
            break
    print(json.dumps({
        "name": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps": steps,
        "seconds": elapsed,
        "samplesPerSec": steps * args.batch / elapsed,
    }))


if __name__ == "__main__":
    main()
