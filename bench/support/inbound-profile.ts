import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads the V8 `.cpuprofile` files `node --cpu-prof` wrote (one per JS thread: main and workflow
 *  threads) and ranks self time by where the code lives and by function. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  files: number;
  /** Sampled JS-thread time, all threads, ms. */
  totalMs: number;
  /** Wall time covered by the longest profile, ms. */
  wallMs: number;
  byArea: { name: string; ms: number; share: number }[];
  byFunction: { name: string; ms: number; share: number }[];
}

/** Where a frame's code lives: a package, a part of this repository, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (idle), (program), (garbage collector)
    return '(native)';
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const m = /\/(apps|libs|bench)\/([^/]+)\//.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  if (url.includes('workflow-bundle')) return 'workflow bundle (workflow code + SDK)';
  return url.length > 60 ? `…${url.slice(-60)}` : url;
}

export function summarizeProfiles(dir: string, top = 15): ProfileSummary | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  if (files.length === 0) return undefined;
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let wallMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    wallMs = Math.max(wallMs, (profile.endTime - profile.startTime) / 1_000);
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i += 1) {
      const node = nodes.get(samples[i]);
      const ms = (deltas[i] ?? 0) / 1_000;
      if (!node || ms <= 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') continue;
      totalMs += ms;
      const area = areaOf(url, functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + ms);
      const fn = `${functionName || '(anonymous)'} ${area}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: totalMs > 0 ? ms / totalMs : 0 }));
  return { files: files.length, totalMs, wallMs, byArea: rank(byArea), byFunction: rank(byFunction) };
}
