import { homedir } from 'node:os';
import { join } from 'node:path';
import { goeEnv } from './config.js';

/** goe's cache root: `GOE_CACHE_DIR`, else `~/.cache/goe`; each user keeps a subfolder (`datasets/`, `pulls/`). */
export function goeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return goeEnv('GOE_CACHE_DIR', env) ?? join(homedir(), '.cache', 'goe');
}
