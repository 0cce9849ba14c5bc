import { performance } from 'node:perf_hooks';
import { procMemory } from './import-sampling';

/**
 * RSS timelines of a few processes for `npm run bench:sessions`: VmRSS (/proc/<pid>/status) of each
 * named pid every `intervalMs`, kept whole, so the peak of any phase (between two marks) can be read
 * afterwards. A spike shorter than the interval can be missed.
 */
export class RssTimeline {
  private timer: NodeJS.Timeout | undefined;
  private readonly samples: { at: number; kb: Record<string, number> }[] = [];
  private readonly marks = new Map<string, number>();

  constructor(
    private readonly pids: Record<string, number>,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  /** Takes a sample now and remembers the instant under `name`. */
  mark(name: string): number {
    const at = this.sample();
    this.marks.set(name, at);
    return at;
  }

  markAt(name: string): number | undefined {
    return this.marks.get(name);
  }

  /** RSS (kB) of `process` in the sample taken at mark `name` (NaN when unknown). */
  at(process: string, name: string): number {
    const at = this.marks.get(name);
    if (at === undefined) return Number.NaN;
    const s = this.samples.find((x) => x.at >= at);
    return s?.kb[process] ?? Number.NaN;
  }

  /** Highest sampled RSS (kB) of `process` between two marks (inclusive), NaN without samples. */
  peak(process: string, fromMark: string, toMark?: string): number {
    const from = this.marks.get(fromMark);
    const to = toMark === undefined ? Number.POSITIVE_INFINITY : this.marks.get(toMark);
    if (from === undefined || to === undefined) return Number.NaN;
    let peak = Number.NaN;
    for (const s of this.samples) {
      if (s.at < from || s.at > to) continue;
      const v = s.kb[process];
      if (v !== undefined && !(v <= peak)) peak = v;
    }
    return peak;
  }

  private sample(): number {
    const at = performance.now();
    const kb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const m = procMemory(pid);
      if (m) kb[name] = m.rssKb;
    }
    this.samples.push({ at, kb });
    return at;
  }
}
