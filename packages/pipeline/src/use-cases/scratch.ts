import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Runs `work` in a fresh folder under `root` and removes the folder afterwards, whatever happens,
 * so a worker never leaves media files behind.
 */
export async function withScratchDir<T>(
  root: string,
  label: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `${label}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
