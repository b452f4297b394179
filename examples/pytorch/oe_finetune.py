"""Outlier Exposure in PyTorch with outliers from a goe server.

1. pulls a fixed-seed batch of generated outliers over HTTP as .npy (POST /outliers),
2. wraps it in a torch.utils.data pipeline beside the in-distribution data,
3. trains a small CNN on the in-distribution data, then fine-tunes it with the OE loss
   L = CE(f(x), y) + lambda * mean_out(logsumexp(f(x')) - mean_c f_c(x'))   (Hendrycks et al., 2019),
4. writes the MSP scores (higher = more OOD) of the ID test set and an OOD test set as a CSV
   that `goe metrics --scores` reads.

Needs only numpy and torch (Debian: python3-numpy python3-torch). Run `python3 oe_finetune.py --help`.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.request

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def pull_outliers(api, model, sigma2, count, seed, api_key=None):
    """POST /outliers as .npy: uint8 N x H x W x C, the same bytes for the same request."""
    body = {"model": model, "sigma2": sigma2, "count": count, "seed": seed, "format": "npy"}
    headers = {"content-type": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    req = urllib.request.Request(f"{api}/outliers", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            raw = res.read()
    except urllib.error.HTTPError as e:
        # goe answers bad requests with a problem document (RFC 9457): show its detail, not a traceback.
        problem = json.loads(e.read() or b"{}")
        sys.exit(f"goe: {e.code} {problem.get('title', '')}: {problem.get('detail', '')}")
    return np.load(io.BytesIO(raw)), hashlib.sha256(raw).hexdigest()


def to_nchw(x):
    """uint8 N x H x W x C -> float32 N x C x H x W in [0, 1], as nn.Conv2d expects."""
    return torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2).float() / 255


def read_idx(path):
    """An IDX file (the MNIST family's format), gzipped or not, as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(folder, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    return x[..., None], y.astype(np.int64)


def synthetic(n, seed, classes=10, size=28):
    """Tiny stand-in for Fashion-MNIST (for quick runs): class k is a bright bar at row 2k+3, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.integers(0, 60, (n, size, size, 1))
    for i, k in enumerate(y):
        x[i, 2 * k + 3 : 2 * k + 6, 4:24, 0] = 220
    return x.astype(np.uint8), y.astype(np.int64)


class SmallCnn(nn.Module):
    """conv32-pool-conv64-pool-fc128-fc10 (the reference CNN of goe's DESIGN.md)."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x):
        return self.head(self.features(x))


def oe_loss(logits_in, y, logits_out, lam=0.5):
    """CE on the in-distribution batch + lambda * cross-entropy of the outliers to the uniform distribution."""
    ce = F.cross_entropy(logits_in, y)
    uniform = (torch.logsumexp(logits_out, dim=1) - logits_out.mean(dim=1)).mean()
    return ce + lam * uniform


def msp_scores(model, x):
    """MSP detector score, higher = more OOD: -max softmax."""
    model.eval()
    with torch.no_grad():
        return torch.cat([-F.softmax(model(b), dim=1).max(dim=1).values for b in x.split(512)])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--api", default=os.environ.get("GOE_API", "http://127.0.0.1:8080"), help="goe server URL")
    p.add_argument("--model", default="fashion-mnist-cgan", help="generator id (GET /models)")
    p.add_argument("--sigma2", type=float, default=50, help="latent variance of the outliers")
    p.add_argument("--outliers", type=int, default=10000, help="number of outliers to pull")
    p.add_argument("--seed", type=int, default=7, help="seed of the outlier batch and of training")
    p.add_argument("--outliers-file", help="a .npy of outliers pulled before (`goe pull`) instead of --api")
    p.add_argument("--data", default=os.environ.get("GOE_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"),
                   help="folder with Fashion-MNIST's IDX .gz files (Debian: dataset-fashion-mnist)")
    p.add_argument("--synthetic", type=int, default=0, metavar="N",
                   help="use N synthetic training images instead of --data (quick runs)")
    p.add_argument("--epochs", type=int, default=2, help="epochs of plain training, then of OE fine-tuning")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--scores", default="scores.csv", help="CSV written for `goe metrics --scores`")
    args = p.parse_args()
    torch.manual_seed(args.seed)

    # 1. Outliers over HTTP, into a DataLoader of their own (shuffled, cycled beside the ID loader).
    if args.outliers_file:  # pulled before, e.g. by `goe pull` in CI
        with open(args.outliers_file, "rb") as f:
            raw = f.read()
        outliers, digest = np.load(io.BytesIO(raw)), hashlib.sha256(raw).hexdigest()
    else:
        outliers, digest = pull_outliers(args.api, args.model, args.sigma2, args.outliers, args.seed,
                                         os.environ.get("GOE_API_KEY"))
    out_loader = DataLoader(TensorDataset(to_nchw(outliers)), batch_size=args.batch, shuffle=True, drop_last=True)

    # 2. In-distribution data.
    if args.synthetic:
        x_train, y_train = synthetic(args.synthetic, args.seed)
        x_test, y_test = synthetic(max(64, args.synthetic // 4), args.seed + 1)
    else:
        x_train, y_train = fashion_mnist(args.data, "train")
        x_test, y_test = fashion_mnist(args.data, "test")
    in_loader = DataLoader(TensorDataset(to_nchw(x_train), torch.from_numpy(y_train)),
                           batch_size=args.batch, shuffle=True)

    # 3. Plain training, then OE fine-tuning.
    model = SmallCnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(args.epochs):
        model.train()
        for x, y in in_loader:
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    for _ in range(args.epochs):
        model.train()
        out_iter = iter(out_loader)
        for x, y in in_loader:
            try:
                (x_out,) = next(out_iter)
            except StopIteration:  # fewer outliers than ID samples: go round again
                out_iter = iter(out_loader)
                (x_out,) = next(out_iter)
            logits = model(torch.cat([x, x_out]))
            opt.zero_grad()
            oe_loss(logits[: len(x)], y, logits[len(x):]).backward()
            opt.step()

    # 4. Scores of the ID test set and an OOD test set (uniform noise images here; use your own).
    x_id = to_nchw(x_test)
    x_ood = torch.rand((len(x_id),) + tuple(x_id.shape[1:]), generator=torch.Generator().manual_seed(args.seed))
    model.eval()
    with torch.no_grad():
        accuracy = float((model(x_id).argmax(dim=1).numpy() == y_test).mean())
    s_id, s_ood = msp_scores(model, x_id), msp_scores(model, x_ood)
    with open(args.scores, "w") as f:
        f.write("score,is_ood\n")
        f.writelines(f"{float(s)!r},0\n" for s in s_id)
        f.writelines(f"{float(s)!r},1\n" for s in s_ood)
    print(json.dumps({"outliers": list(outliers.shape), "outliers_sha256": digest,
                      "test_accuracy": accuracy, "scores": args.scores}))


if __name__ == "__main__":
    main()
