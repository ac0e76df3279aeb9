import { existsSync } from 'node:fs';
import path from 'node:path';

/** The monorepo root: the nearest folder above `from` with nx.json. */
export function workspaceRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
}
