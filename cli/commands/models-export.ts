import type { Command } from 'commander';
import { exportOnnxTwin } from '../../generators/cgan/onnx-export.js';
import { resolveModelDir } from '../../generators/registry.js';
import { printJson } from '../output.js';

/**
 * `goe models export-onnx ID`: writes the ONNX twin of a goe cGAN (zoo/ID/model.onnx + the manifest's `onnx`
 * entry), checked against TF.js first; `goe serve`/`sample`/`finetune` then run it on ONNX Runtime
 * (GOE_RUNTIME=auto|onnx).
 */
export function registerExport(models: Command): void {
  models
    .command('export-onnx <id>')
    .description(
      "write the ONNX twin of a goe cGAN (ID/model.onnx, exported by PyTorch from the same weights; needs python3-torch), check it computes TF.js's function, and record file, digest and the check in ID/manifest.json",
    )
    .option('--json', 'print {id, path, twin} as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const dir = resolveModelDir(id);
      const out = await exportOnnxTwin(dir, `goe models export-onnx ${id}`);
      if (o.json) {
        printJson(out);
        return;
      }
      const { twin } = out;
      const c = twin.check;
      process.stdout.write(
        `${out.id}: wrote ${out.path} (${twin.bytes.toLocaleString('en-US')} bytes, ${twin.digest}, ${twin.exporter}, opset ${twin.opset})\n` +
          `same function as TF.js (${c.tfjsBackend}) on ONNX Runtime ${c.onnxruntime}: max |Δ| ${c.maxAbsDiff.toExponential(2)} ≤ tolerance ${c.tolerance} ` +
          `over ${c.rowsPerSigma2} rows at each σ² in {${c.sigma2.join(', ')}}; ${c.uint8Differ.toLocaleString('en-US')} of ${c.values.toLocaleString('en-US')} values land on another uint8 level\n`,
      );
    });
}
