/** Input checks and frame counts with ffprobe (stereo-engine's probe), whatever the engine. */
import { isStereoEngineError, probeMedia, requireVideo } from '@stereo-spot/stereo-engine';
import { UnreadableInputError } from './errors';
import type { MediaInspector } from './server';

export class FfprobeMediaInspector implements MediaInspector {
  async assertVideo(filePath: string, signal: AbortSignal): Promise<void> {
    try {
      const probe = await probeMedia(filePath, { signal });
      requireVideo(probe);
      if (probe.isStillImage) throw new UnreadableInputError('the input is a still image, not a video');
    } catch (error) {
      if (isStereoEngineError(error) && error.permanent) {
        throw new UnreadableInputError(`the input is not a readable video: ${firstLine(error.message)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async countFrames(filePath: string, signal: AbortSignal): Promise<number | undefined> {
    const probe = await probeMedia(filePath, { signal });
    return probe.video?.frameCount;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
