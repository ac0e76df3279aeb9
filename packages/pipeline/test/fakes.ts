/**
 * Test doubles of the media and inference ports on text files, for unit tests of the use cases'
 * decisions (ffmpeg and the engines are proven by their own tests and the end-to-end tests).
 * The storage, queue and store fakes are the pipeline's `/testing` entry (src/testing).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ObjectNotFoundError } from '../src/errors';
import { type MediaInfo, type MediaProcessor, type RgbImage } from '../src/ports/media-processor';
import { type SegmentConversionRequest } from '../src/ports/stereo-inference';
import type { MemoryPlatform } from '../src/testing';

/**
 * Media plumbing on text files: a "video" is a file whose lines are frames; split makes
 * `segmentSeconds`-line files, concat joins them and appends the audio source's name.
 */
export class TextMedia implements MediaProcessor {
  concats: { segments: string[]; audio: string | undefined }[] = [];
  async probe(filePath: string): Promise<MediaInfo> {
    const text = (await readFile(filePath, 'utf8')).trim();
    if (text === '' || text.startsWith('corrupt')) {
      throw Object.assign(new Error(`unreadable media: ${path.basename(filePath)}`), { permanent: true });
    }
    return {
      durationSeconds: text.split('\n').length,
      hasVideo: !text.startsWith('audio-only'),
      hasAudio: true,
    };
  }
  async split(filePath: string, segmentSeconds: number, outputDir: string): Promise<{ files: string[] }> {
    const frames = (await readFile(filePath, 'utf8')).trim().split('\n');
    await mkdir(outputDir, { recursive: true });
    const files: string[] = [];
    for (let i = 0; i * segmentSeconds < frames.length; i += 1) {
      const file = path.join(outputDir, `${i}.mp4`);
      await writeFile(file, frames.slice(i * segmentSeconds, (i + 1) * segmentSeconds).join('\n'));
      files.push(file);
    }
    return { files };
  }
  async concat(
    segmentPaths: readonly string[],
    audio: string | undefined,
    outputPath: string,
  ): Promise<void> {
    this.concats.push({ segments: [...segmentPaths], audio });
    const parts = await Promise.all(segmentPaths.map((p) => readFile(p, 'utf8')));
    await writeFile(outputPath, `${parts.join('\n')}\n[audio]`);
  }
  async firstFrame(filePath: string, { width }: { width: number }): Promise<RgbImage> {
    await this.probe(filePath);
    return { width, height: 1, data: new Uint8Array(width * 3) };
  }
}

/** Converts a text "segment" by prefixing every frame with the mode, like a real backend would re-encode it. */
export function textInference(platform: MemoryPlatform) {
  const calls: { jobId: string; segmentIndex: number; mode: string; divergence: number }[] = [];
  return {
    calls,
    inference: {
      name: 'text',
      async convertSegment(request: SegmentConversionRequest) {
        calls.push({
          jobId: request.jobId,
          segmentIndex: request.segmentIndex,
          mode: request.mode,
          divergence: request.stereo.divergence,
        });
        const body = platform.inputStorage.objects.get(request.inputKey);
        if (body === undefined) throw new ObjectNotFoundError('input', request.inputKey);
        const frames = body.toString('utf8').split('\n');
        await platform.outputStorage.putBytes(
          request.outputKey,
          frames.map((f) => `${request.mode}:${f}`).join('\n'),
        );
        return { frames: frames.length, seconds: 0 };
      },
    },
  };
}
