"""Reads goe's safetensors weight files into torch tensors, for the benchmark peers."""

import json
import struct

import numpy as np
import torch


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
        if meta["dtype"] != "F32":
            raise ValueError(f"{name} is {meta['dtype']}, expected F32")
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).reshape(meta["shape"]).copy())
    return out
