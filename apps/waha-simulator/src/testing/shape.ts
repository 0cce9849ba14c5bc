import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Copies of shared/fixtures/waha (GOWS, WAHA 2026.7.1), kept with the simulator so its tests run anywhere. */
export const FIXTURES_DIR = join(__dirname, '../../fixtures');

export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as T;
}

/** Every key path of a JSON value (`payload._data.Info.ID`; array items as `[]`), sorted. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item, `${path}[]`);
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        out.add(p);
        walk(child, p);
      }
    }
  };
  walk(value, prefix);
  return [...out].sort();
}

/** JSON type of each key path (`string`, `number`, `null`, `object`, ...), to compare value kinds too. */
export function keyTypes(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      out[path] = 'array';
      for (const item of v) walk(item, `${path}[]`);
      return;
    }
    if (v && typeof v === 'object') {
      if (path) out[path] = 'object';
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
      return;
    }
    out[path] = v === null ? 'null' : typeof v;
  };
  walk(value, '');
  return out;
}
