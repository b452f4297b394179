import type { LogLevel } from '../runtime/log.js';

/** Where the service writes its structured log lines (`runtime/log.ts`'s `log` by default; tests capture). */
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
