import { readdirSync, readFileSync } from 'node:fs';

/** CPU time per component from /proc (Linux only; elsewhere every sample is empty). */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** utime + stime of a process, all its threads included, in seconds; undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields after it start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy and total seconds of the whole machine (all cores) from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Direct children of `ppid` whose command name matches `comm` (e.g. the Temporal dev server). */
export function childPids(ppid: number, comm: RegExp): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid && comm.test(name)) out.push(Number(entry));
    } catch {
      // raced with an exiting process
    }
  }
  return out;
}

export interface CpuSnapshot {
  at: number;
  byComponent: Map<string, Map<number, number>>;
  machine?: { busy: number; total: number };
}

/** Samples the CPU seconds of named groups of pids; `delta` turns two snapshots into cores used. */
export class CpuSampler {
  constructor(private readonly groups: () => Record<string, number[]> | Promise<Record<string, number[]>>) {}

  async snapshot(): Promise<CpuSnapshot> {
    const groups = await this.groups();
    const byComponent = new Map<string, Map<number, number>>();
    for (const [name, pids] of Object.entries(groups)) {
      const perPid = new Map<number, number>();
      for (const pid of pids) {
        const s = processCpuSeconds(pid);
        if (s !== undefined) perPid.set(pid, s);
      }
      byComponent.set(name, perPid);
    }
    return { at: performance.now(), byComponent, machine: machineCpuSeconds() };
  }

  /** Cores used by each component between the snapshots (a pid first seen in `after` counts from 0),
   *  plus `machine busy` and `other` (busy time no listed component accounts for: other tenants of the machine). */
  static delta(before: CpuSnapshot, after: CpuSnapshot): { wallSeconds: number; cores: Record<string, number> } {
    const wallSeconds = (after.at - before.at) / 1_000;
    const cores: Record<string, number> = {};
    let listed = 0;
    for (const [name, perPid] of after.byComponent) {
      let seconds = 0;
      for (const [pid, s] of perPid) seconds += s - (before.byComponent.get(name)?.get(pid) ?? 0);
      listed += seconds;
      cores[name] = seconds / wallSeconds;
    }
    if (before.machine && after.machine) {
      const busy = after.machine.busy - before.machine.busy;
      cores['machine busy'] = busy / wallSeconds;
      cores.other = Math.max(0, busy - listed) / wallSeconds;
    }
    return { wallSeconds, cores };
  }
}
