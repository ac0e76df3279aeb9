import { cp } from 'node:fs/promises';
import path from 'node:path';

/** The stand-in nunif checkout (see fixtures/fake-nunif/README.md). */
export const NUNIF_STANDIN = path.join(__dirname, '..', 'fixtures', 'fake-nunif');

/** A private copy of the stand-in, for tests that change its weights or look at what it leaves. */
export async function copyStandin(dir: string): Promise<string> {
  const copy = path.join(dir, 'nunif');
  await cp(NUNIF_STANDIN, copy, { recursive: true });
  return copy;
}
