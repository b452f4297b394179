import cliProgress from 'cli-progress';

/** A progress bar on stderr; off a terminal it prints a line every 10 s instead (logs of `nohup` runs). */
export interface Progress {
  /** `fields.total`, when given, resets the bar's total (for loops that learn their length late). */
  update(value: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, fieldsFormat = ''): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}${fieldsFormat ? ` ${fieldsFormat}` : ''}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, fields = {}) {
      const newTotal = typeof fields.total === 'number' ? fields.total : undefined;
      if (!started) {
        bar.start(newTotal ?? total, value, fields);
        started = true;
        return;
      }
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(value, fields);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
