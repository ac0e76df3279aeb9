import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * An output written under a temporary name in the same folder (same extension, so ffmpeg picks
 * the same muxer) and renamed into place only when complete: a failure, an abort or a crash
 * never leaves a partial file under the requested name.
 */
export class PendingOutput {
  readonly tempPath: string;

  private constructor(readonly finalPath: string) {
    const dir = path.dirname(finalPath);
    const ext = path.extname(finalPath);
    const base = path.basename(finalPath, ext);
    this.tempPath = path.join(dir, `.${base}.partial-${process.pid}-${randomBytes(4).toString('hex')}${ext}`);
  }

  static async create(finalPath: string): Promise<PendingOutput> {
    await mkdir(path.dirname(path.resolve(finalPath)), { recursive: true });
    return new PendingOutput(finalPath);
  }

  async commit(): Promise<void> {
    await rename(this.tempPath, this.finalPath);
  }

  async discard(): Promise<void> {
    await rm(this.tempPath, { force: true });
  }
}
