// The resident memory of one browser (every Chromium process started with its profile), sampled
// from /proc while a test runs, for reporting how much a run really used. Linux only; elsewhere
// the sampler reports nothing (peakBytes 0).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Bytes resident now in one browser: the processes whose command line holds
 * `--user-data-dir=<profileDir>` (the browser process) and all their descendants (zygotes,
 * renderers, the GPU and utility processes, which do not repeat the flag).
 */
export function browserResidentBytes(profileDir: string): number {
  const marker = `--user-data-dir=${profileDir}`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const pid of pids) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]!;
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker)) roots.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  const seen = new Set<string>();
  const stack = [...roots];
  let total = 0;
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
    try {
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

export interface MemorySampler {
  /** Highest total seen so far, in bytes. */
  peakBytes(): number;
  stop(): void;
}

/**
 * Samples the browser's resident total every `intervalMs`. Summed RSS counts pages shared between
 * processes more than once, so it is an upper bound of what the browser holds.
 */
export function sampleBrowserMemory(profileDir: string, intervalMs = 250): MemorySampler {
  let peak = browserResidentBytes(profileDir);
  const timer = setInterval(() => {
    peak = Math.max(peak, browserResidentBytes(profileDir));
  }, intervalMs);
  timer.unref();
  return { peakBytes: () => peak, stop: () => clearInterval(timer) };
}
