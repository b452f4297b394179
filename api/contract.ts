import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** `openapi.yaml` at the repository root: the HTTP contract, and the schemas requests are validated against. */
export const CONTRACT_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'openapi.yaml');

/** The parts of the OpenAPI document the service reads. */
export interface Contract {
  /** The YAML text, served at `GET /openapi.yaml`. */
  text: string;
  info: { version: string };
  components: { schemas: Record<string, unknown> };
}

let cached: Contract | undefined;

/** Reads and parses the contract once per process (it is immutable while the process runs). */
export function loadContract(path: string = CONTRACT_PATH): Contract {
  if (path === CONTRACT_PATH && cached) return cached;
  const text = readFileSync(path, 'utf8');
  const doc = parse(text) as Omit<Contract, 'text'>;
  const contract = { text, info: doc.info, components: doc.components };
  if (path === CONTRACT_PATH) cached = contract;
  return contract;
}
