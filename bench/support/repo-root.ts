import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, from src (bench/support) or any build directory (dist/bench/support,
 *  dist-b/bench/support, ...): the nearest directory above that holds scripts/temporal-dev-args.cjs. */
export function repoRoot(): string {
  const up2 = resolve(__dirname, '../..');
  for (let dir = up2; ; dir = resolve(dir, '..')) {
    if (existsSync(join(dir, 'scripts/temporal-dev-args.cjs'))) return dir;
    if (resolve(dir, '..') === dir) return up2;
  }
}
