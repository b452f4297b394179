"""Exports goe's zoo cGAN (zoo/fashion-mnist-cgan, its safetensors weights) to ONNX with PyTorch, so the same
network can be imported (`goe models add`) and run on ONNX Runtime beside goe's TF.js path:

    python3 bench/peer/export_cgan_onnx.py zoo/fashion-mnist-cgan OUT.onnx
    goe models add OUT.onnx --id fashion-mnist-cgan-onnx --class-input y --classes "$(…class names…)"

Inputs `z` [N, latentDim] and one-hot `y` [N, numClasses]; output `image` [N, C, H, W] in [-1, 1] (tanh).
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import Generator  # noqa: E402
from safetensors_io import load_safetensors  # noqa: E402


class Exported(Generator):
    """The peer's generator with PyTorch's own transposed convolution (ONNX ConvTranspose) for export."""

    def forward(self, z, y):
        c, w = self.c, self.w
        h = torch.cat([z, y], 1) @ w["fc.w"] + w["fc.b"]
        h = h.view(-1, c["height"] // 4, c["width"] // 4, 2 * c["gWidth"]).permute(0, 3, 1, 2)
        h = torch.relu(self.cbn(h, y, "bn0"))
        h = nn.functional.conv_transpose2d(h, w["up1.w"], w["up1.b"], stride=2, padding=1)
        h = torch.relu(self.cbn(h, y, "bn1"))
        h = nn.functional.conv_transpose2d(h, w["up2.w"], w["up2.b"], stride=2, padding=1)
        return torch.tanh(h)


def main():
    src, out = sys.argv[1], sys.argv[2]
    m = json.load(open(os.path.join(src, "manifest.json")))
    c = m["config"]
    g = Exported(load_safetensors(os.path.join(src, m["weights"]["file"])), c)
    z = torch.randn(2, c["latentDim"])
    y = torch.eye(c["numClasses"])[[0, 1]]
    with torch.no_grad():
        torch.onnx.export(g, (z, y), out, input_names=["z", "y"], output_names=["image"],
                          dynamic_axes={"z": {0: "batch"}, "y": {0: "batch"}, "image": {0: "batch"}}, opset_version=13)
    print(json.dumps({"classes": m["classes"]}))


if __name__ == "__main__":
    main()
