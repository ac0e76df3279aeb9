import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeDeadScratchDirs } from '../../src/use-cases/scratch';
import { useScratchDir } from './support';

const scratchDir = useScratchDir();

describe('removeDeadScratchDirs', () => {
  it("removes the folders of dead workers and keeps live ones' and unrelated folders", async () => {
    // Prepare
    for (const name of ['segment-a-pid111-x1', 'chunk-b-pid222-x2', `reassemble-c-pid${process.pid}-x3`, 'previews']) {
      await mkdir(path.join(scratchDir(), name));
      await writeFile(path.join(scratchDir(), name, 'input.mp4'), 'partial');
    }

    // Act
    const removed = await removeDeadScratchDirs(scratchDir(), { isAlive: (pid) => pid === 222 });

    // Assess
    expect(removed).toEqual(['segment-a-pid111-x1']);
    expect((await readdir(scratchDir())).sort()).toEqual(['chunk-b-pid222-x2', 'previews', `reassemble-c-pid${process.pid}-x3`]);
  });
});
