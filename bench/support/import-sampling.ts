import { readFileSync } from 'node:fs';

/** Memory of a process from /proc/<pid>/status (Linux only; undefined elsewhere or once it is gone). */
export interface ProcMemory {
  /** Resident set size now, in kB. */
  rssKb: number;
  /** The process's peak RSS since it started ("high water mark"), in kB. */
  hwmKb: number;
}

export function procMemory(pid: number): ProcMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const rssKb = kb('VmRSS');
    const hwmKb = kb('VmHWM');
    return Number.isFinite(rssKb) ? { rssKb, hwmKb } : undefined;
  } catch {
    return undefined;
  }
}

export interface RssWindow {
  /** RSS when the window opened (before the case's work). */
  beforeKb: number;
  /** Highest RSS sampled in the window. */
  peakKb: number;
  /** RSS when the window closed. */
  endKb: number;
  /** VmHWM when the window closed (process lifetime peak: it includes earlier cases and start-up). */
  hwmKb: number;
  samples: number;
}

/**
 * Samples one process's RSS every `intervalMs` from `start()` to `stop()`. VmHWM alone cannot give
 * the peak of one case (it is the process's lifetime peak), so the peak is the highest VmRSS sampled;
 * a spike shorter than the interval can be missed, which the lifetime VmHWM shows.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private window: RssWindow | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    const first = procMemory(this.pid);
    this.window = {
      beforeKb: first?.rssKb ?? Number.NaN,
      peakKb: first?.rssKb ?? Number.NaN,
      endKb: Number.NaN,
      hwmKb: first?.hwmKb ?? Number.NaN,
      samples: first ? 1 : 0,
    };
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): RssWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    const w = this.window!;
    w.endKb = procMemory(this.pid)?.rssKb ?? Number.NaN;
    return { ...w };
  }

  private sample(): void {
    const m = procMemory(this.pid);
    if (!m || !this.window) return;
    this.window.samples += 1;
    this.window.peakKb = Number.isFinite(this.window.peakKb) ? Math.max(this.window.peakKb, m.rssKb) : m.rssKb;
    this.window.hwmKb = m.hwmKb;
  }
}

export const mb = (kb: number): string => (Number.isFinite(kb) ? (kb / 1024).toFixed(0) : '-');
