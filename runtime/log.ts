/**
 * One line per event on stderr (JSON unless stderr is a terminal), so stdout stays clean for `--json` output and piped data.
 * `GOE_LOG=silent` mutes it (tests), `GOE_LOG=debug` adds debug lines.
 */
import { goeEnv } from './config.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const env = goeEnv('GOE_LOG');
  if (env === 'silent') return Number.POSITIVE_INFINITY;
  if (env && env in order) return order[env as LogLevel];
  return order.info;
}

/** Writes `{level, msg, ...fields}` as one JSON line on stderr when the level passes `GOE_LOG`. */
export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < threshold()) return;
  if (process.stderr.isTTY) {
    // People at a terminal read `goe: msg key=value`; pipes and log collectors get one JSON object a line.
    const kv = Object.entries(fields).map(
      ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    process.stderr.write(
      `goe: ${level === 'info' ? '' : `${level}: `}${msg}${kv.length ? ` ${kv.join(' ')}` : ''}\n`,
    );
    return;
  }
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}
