import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Scratch folders are named `<label>-pid<pid>-<random>` so a sweep can tell whose they are. */
const OWNER = /-pid(\d+)-[^/]+$/;

/** Folders from before scratch folders named their process are swept once this old. */
const UNOWNED_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Runs `work` in a fresh folder under `root` and removes the folder afterwards, whatever happens,
 * so a worker never leaves media files behind. A worker killed meanwhile leaves it; the folder's
 * name carries the process id so `removeDeadScratchDirs` can remove it later.
 */
export async function withScratchDir<T>(
  root: string,
  label: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `${label}-pid${process.pid}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** True while a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders under `root` whose process is gone (a worker killed with SIGKILL,
 * or a crash): the input and partial outputs it left would stay for good. Folders of live
 * processes (this one included) are kept. Run at worker start and by the janitor. Returns the
 * names removed.
 */
export async function removeDeadScratchDirs(
  root: string,
  options: { readonly isAlive?: (pid: number) => boolean; readonly now?: number } = {},
): Promise<string[]> {
  const isAlive = options.isAlive ?? processIsAlive;
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const owner = OWNER.exec(entry.name);
    const folder = path.join(root, entry.name);
    if (owner !== null) {
      const pid = Number(owner[1]);
      if (pid === process.pid || isAlive(pid)) continue;
    } else {
      // Only the worker folders (`chunk-`, `segment-`, `reassemble-`), never e.g. `previews`.
      if (!/^(chunk|segment|reassemble)-/.test(entry.name)) continue;
      const age = (options.now ?? Date.now()) - (await stat(folder)).mtimeMs;
      if (age < UNOWNED_MAX_AGE_MS) continue;
    }
    await rm(folder, { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
