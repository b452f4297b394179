"""Exports a goe cGAN (a zoo folder: manifest.json + safetensors weights) to ONNX with PyTorch's own exporter, the
same network as the benchmark peer (generate.py's Generator, the PyTorch rebuild of generators/cgan/model.ts):

    python3 bench/peer/export_cgan_onnx.py zoo/fashion-mnist-cgan OUT.onnx

`goe models export-onnx ID` runs this, then checks the file against goe's TF.js generator before it is listed.
Inputs `z` [N, latentDim] and one-hot `y` [N, numClasses] (float32); output `image` [N, C, H, W] in [-1, 1] (tanh).
The row shape comes from the manifest's config (height, width, channels), never assumed.
torch.onnx.export serialises the graph itself (torch/csrc/onnx): the python `onnx` package is not needed.
Prints one JSON object on stdout: classes, exporter version, opset, input and output names.
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import Generator  # noqa: E402
from safetensors_io import load_safetensors  # noqa: E402

OPSET = 13


class Exported(Generator):
    """The peer's generator with PyTorch's own transposed convolution (one ONNX ConvTranspose) for export."""

    def up(self, h, weight, bias):
        return nn.functional.conv_transpose2d(h, weight, bias, stride=2, padding=1)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: export_cgan_onnx.py ZOO_DIR OUT.onnx")
    src, out = sys.argv[1], sys.argv[2]
    m = json.load(open(os.path.join(src, "manifest.json")))
    if m.get("kind") != "cgan":
        sys.exit(f"{src} holds a {m.get('kind')} model, not a cgan")
    c = m["config"]
    g = Exported(load_safetensors(os.path.join(src, m["weights"]["file"])), c)
    # The example inputs only fix dtypes and ranks; the batch axis is dynamic.
    z = torch.zeros(2, c["latentDim"])
    y = torch.eye(c["numClasses"])[[0, 1]]
    with torch.no_grad():
        torch.onnx.export(g, (z, y), out, input_names=["z", "y"], output_names=["image"],
                          dynamic_axes={"z": {0: "batch"}, "y": {0: "batch"}, "image": {0: "batch"}},
                          opset_version=OPSET)
    print(json.dumps({"classes": m["classes"], "exporter": f"torch {torch.__version__} torch.onnx.export",
                      "opset": OPSET, "inputs": ["z", "y"], "output": "image"}))


if __name__ == "__main__":
    main()
