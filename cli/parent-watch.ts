import { readFileSync } from 'node:fs';

/**
 * Calls `onGone` once when the process that started this one goes away. Why: `npx goe serve &` then
 * `kill $!` kills npm's wrapper only; the server is reparented (to init or a subreaper) and would keep
 * serving with nobody left to stop it. Two signs, checked every `intervalMs`: `process.ppid` changed
 * (we were reparented), or an ancestor up to the nearest npm process is gone (a `sh -c` between npm and
 * us can outlive npm for a while). Ancestors are read from `/proc` (Linux); elsewhere only the first
 * sign is used. The timer is unref'd, so it never keeps the process alive.
 *
 * @returns a function that stops watching.
 */
export function watchParent(onGone: (why: string) => void, intervalMs = 500): () => void {
  const ppid = process.ppid;
  const ancestors = launcherChain(ppid);
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    let why: string | undefined;
    if (process.ppid !== ppid) why = `parent process ${ppid} exited`;
    else {
      const gone = ancestors.find((pid) => !alive(pid));
      if (gone !== undefined) why = `launcher process ${gone} exited`;
    }
    if (why === undefined) return;
    fired = true;
    clearInterval(timer);
    onGone(why);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The ancestors from `ppid` up to and including the nearest npm/npx process (none found: just `ppid`). */
function launcherChain(ppid: number): number[] {
  const chain: number[] = [];
  let pid = ppid;
  // Four levels cover npm exec → sh -c → node (and a `bash -c` around it); beyond that it is not ours.
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    chain.push(pid);
    const stat = procStat(pid);
    if (stat === undefined) break;
    if (/^(npm|npx)\b/.test(stat.cmdline)) return chain;
    pid = stat.ppid;
  }
  return [ppid];
}

function procStat(pid: number): { ppid: number; cmdline: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 after the parenthesised command name (which may itself hold spaces or parentheses).
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return Number.isInteger(ppid) ? { ppid, cmdline } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
