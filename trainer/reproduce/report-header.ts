import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../runtime/backend/index.js';
import { repoRoot } from '../datasets/locate.js';

/** What every reproduction report opens with: what ran, how, when, and on what. */
export interface ReportHeader {
  title: string;
  command: string;
  mode: 'quick' | 'full';
  createdAt: string;
  wallSeconds: number;
  /** `backend`: the TF.js backend actually chosen (not the GOE_BACKEND request). */
  machine: { cores: number; node: string; backend: string };
}

/**
 * The header of a report made now by `o.command`, `t0` being `performance.now()` when the reproduction
 * started (wall time in whole seconds).
 */
export async function reportHeader(
  title: string,
  o: { command: string; quick: boolean },
  t0: number,
): Promise<ReportHeader> {
  const wallSeconds = Math.round((performance.now() - t0) / 1000);
  return {
    title,
    command: o.command,
    mode: o.quick ? 'quick' : 'full',
    createdAt: new Date().toISOString(),
    wallSeconds,
    machine: { cores: cpus().length, node: process.version, backend: (await initBackend()).choice },
  };
}

/** The versions of goe and of the TF.js packages a report's numbers were made with (from their package.json). */
export async function reportVersions(): Promise<Record<string, string>> {
  const read = async (p: string) => JSON.parse(await readFile(join(repoRoot, p), 'utf8')).version as string;
  return {
    goe: await read('package.json'),
    '@tensorflow/tfjs': await read('node_modules/@tensorflow/tfjs/package.json'),
    '@tensorflow/tfjs-backend-wasm': await read('node_modules/@tensorflow/tfjs-backend-wasm/package.json'),
  };
}
