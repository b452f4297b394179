import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPythonJson } from './python.js';

/** The tiny generators {@link exportTinyGenerators} writes, and what PyTorch computes for them. */
export interface TinyGenerators {
  dir: string;
  /** Unconditional MLP: `z` [N, 8] → `image` [N, 16] (a flat 4×4 grey image) in [−1, 1] (tanh). */
  mlp: string;
  /**
   * Class-conditional conv net: `z` [N, 8, 1, 1], one-hot `y` [N, 3], constant `truncation` [1] →
   * `rgb` [N, 3, 4, 4] (NCHW) in [0, 1] (sigmoid); a second output `logits` [N, 5].
   */
  conv: string;
  /** Class-conditional by index: `z` [N, 6], `label` [N] int64 (embedding) → `out` [N, 2, 2, 1] (NHWC) in [0, 255]. */
  indexed: string;
  /** `image` = log(`z`) [N, 16]: NaN for every negative latent, −∞ at 0 (a broken model). */
  nan: string;
  /** PyTorch's `mlp(z = 0)` row (16 values in [−1, 1]). */
  mlpAtZero: number[];
  /** PyTorch's `conv(z = 0, y = one-hot(c), truncation = 0.5)` for c = 0, 1, 2, each NCHW [3, 4, 4] flattened. */
  convAtZero: number[][];
}

// Random weights with a fixed torch seed: the tests need real networks of each input/output kind, not trained ones.
const SCRIPT = `
import json, sys, torch
from torch import nn
out = sys.argv[1]
torch.manual_seed(0)

mlp = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh()).eval()
torch.onnx.export(mlp, torch.randn(2, 8), out + "/mlp.onnx", input_names=["z"], output_names=["image"],
                  dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=13)

class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8 + 3, 8 * 2 * 2)
        self.up = nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)
        self.head = nn.Linear(8, 5)
    def forward(self, z, y, truncation):
        h = torch.cat([z.flatten(1) * truncation, y], 1)
        h = torch.relu(self.fc(h)).view(-1, 8, 2, 2)
        return torch.sigmoid(self.up(h)), self.head(z.flatten(1))
conv = Conv().eval()
torch.onnx.export(conv, (torch.randn(2, 8, 1, 1), torch.eye(3)[[0, 1]], torch.ones(1)), out + "/conv.onnx",
                  input_names=["z", "y", "truncation"], output_names=["rgb", "logits"],
                  dynamic_axes={"z": {0: "batch"}, "y": {0: "batch"}, "rgb": {0: "batch"}, "logits": {0: "batch"}},
                  opset_version=13)

class Indexed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(4, 6)
        self.fc = nn.Linear(6, 4)
    def forward(self, z, label):
        return ((torch.tanh(self.fc(z + self.emb(label))) + 1) * 127.5).view(-1, 2, 2, 1)
indexed = Indexed().eval()
torch.onnx.export(indexed, (torch.randn(2, 6), torch.tensor([0, 3])), out + "/indexed.onnx",
                  input_names=["z", "label"], output_names=["out"],
                  dynamic_axes={"z": {0: "batch"}, "label": {0: "batch"}, "out": {0: "batch"}}, opset_version=13)

class Nan(nn.Module):
    def forward(self, z):
        return torch.log(z)
torch.onnx.export(Nan(), torch.rand(2, 16), out + "/nan.onnx", input_names=["z"], output_names=["image"],
                  dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}}, opset_version=13)

with torch.no_grad():
    mlp0 = mlp(torch.zeros(1, 8))[0].tolist()
    conv0 = [conv(torch.zeros(1, 8, 1, 1), torch.eye(3)[[c]], torch.tensor([0.5]))[0][0].flatten().tolist() for c in range(3)]
print(json.dumps({"mlp": mlp0, "conv": conv0}))
`;

/**
 * Exports three tiny randomly initialised generators to ONNX with PyTorch (Debian python3-torch), covering
 * flat/NCHW/NHWC outputs, the [−1, 1]/[0, 1]/[0, 255] ranges, unconditional, one-hot and index class inputs
 * and a constant input; returns their paths and PyTorch's outputs at z = 0.
 * @throws naming the package to install when no python3 has torch
 */
export async function exportTinyGenerators(): Promise<TinyGenerators> {
  const dir = await mkdtemp(join(tmpdir(), 'goe-onnx-'));
  const ref = runPythonJson<{ mlp: number[]; conv: number[][] }>(['torch'], SCRIPT, [dir]);
  return {
    dir,
    mlp: join(dir, 'mlp.onnx'),
    conv: join(dir, 'conv.onnx'),
    indexed: join(dir, 'indexed.onnx'),
    nan: join(dir, 'nan.onnx'),
    mlpAtZero: ref.mlp,
    convAtZero: ref.conv,
  };
}
