import { homedir } from 'node:os';
import { join } from 'node:path';

/** goe's cache root: `GOE_CACHE_DIR`, else `~/.cache/goe`; each user keeps a subfolder (`datasets/`, `pulls/`). */
export function goeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOE_CACHE_DIR || join(homedir(), '.cache', 'goe');
}
