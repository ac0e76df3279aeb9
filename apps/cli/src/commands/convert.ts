import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ANAGLYPH_METHODS,
  DEFAULT_OUTPUT_MODE,
  OUTPUT_MODES,
  OUTPUT_MODE_INFO,
  STEREO_LIMITS,
  outputFileName,
  type AnaglyphMethod,
  type OutputMode,
} from '@stereo-spot/shared-types';
import {
  StereoEngineError,
  convertFile,
  isImagePath,
  type ConvertProgress,
  type ConvertResult,
  type SourceEye,
} from '@stereo-spot/stereo-engine';

/**
 * `stereo-spot convert <input> -o <output>`: one video or image through the built-in CPU engine,
 * on this machine, no running roles needed. A progress bar on a terminal, one summary line otherwise.
 */
export function convertCommand(): Command {
  return new Command('convert')
    .description('Convert a video or image to 3D on this machine with the built-in CPU engine.')
    .argument('<input>', 'video (mp4, mkv, webm, mov, avi...) or image (png, jpg, webp)')
    .option('-o, --output <file>', 'output file (default: next to the input, named for VR players)')
    .addOption(new Option('-m, --mode <mode>', 'output layout').choices(OUTPUT_MODES).default(DEFAULT_OUTPUT_MODE))
    .option(
      '--divergence <percent>',
      `3D strength: max parallax in % of the width (${STEREO_LIMITS.divergence.min}-${STEREO_LIMITS.divergence.max}, default ${STEREO_LIMITS.divergence.default})`,
      number,
    )
    .option(
      '--convergence <0..1>',
      `screen plane: 0 = all in front, 1 = all behind (default ${STEREO_LIMITS.convergence.default})`,
      number,
    )
    .addOption(new Option('--anaglyph-method <method>', 'anaglyph colours (default dubois)').choices(ANAGLYPH_METHODS))
    .option('--depth-out <file>', 'also write the depth map (white = near): depth.png for images, depth.mp4 for videos')
    .option('--crf <n>', 'encoder quality, lower is better (default 20)', number)
    .option('--preset <name>', 'x264/x265 speed preset (default veryfast)')
    .option('--codec <encoder>', 'ffmpeg video encoder (default libx264)')
    .option('--pix-fmt <format>', 'output pixel format (default yuv420p, yuv444p for anaglyph)')
    .option('--max-fps <n>', 'cap the frame rate', number)
    .option('--edge-dilation <px>', 'grow near edges before warping (default 2)', integer)
    .option('--zero-parallax-border <fraction>', 'fade parallax to 0 at the side edges over this fraction of the width', number)
    .addOption(new Option('--keep-source-eye <eye>', 'keep the source as this eye, synthesise only the other').choices(['left', 'right']))
    .option('--threads <n>', 'render worker threads (0 = none; default: CPU count)', integer)
    .action(async (input: string, options: ConvertCommandOptions) => {
      process.exitCode = await runConvert(input, options);
    });
}

interface ConvertCommandOptions {
  readonly output?: string;
  readonly mode: OutputMode;
  readonly divergence?: number;
  readonly convergence?: number;
  readonly anaglyphMethod?: AnaglyphMethod;
  readonly depthOut?: string;
  readonly crf?: number;
  readonly preset?: string;
  readonly codec?: string;
  readonly pixFmt?: string;
  readonly maxFps?: number;
  readonly edgeDilation?: number;
  readonly zeroParallaxBorder?: number;
  readonly keepSourceEye?: SourceEye;
  readonly threads?: number;
}

async function runConvert(input: string, options: ConvertCommandOptions): Promise<number> {
  const output = options.output ?? defaultOutput(input, options.mode);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
  try {
    const result = await convertFile({
      input,
      output,
      mode: options.mode,
      divergence: options.divergence,
      convergence: options.convergence,
      anaglyphMethod: options.anaglyphMethod,
      depthOut: options.depthOut,
      crf: options.crf,
      preset: options.preset,
      codec: options.codec,
      pixFmt: options.pixFmt,
      maxFps: options.maxFps,
      edgeDilation: options.edgeDilation,
      zeroParallaxBorder: options.zeroParallaxBorder,
      keepSourceEye: options.keepSourceEye,
      threads: options.threads,
      signal: controller.signal,
      onProgress: bar ? (progress) => bar.update(progress) : undefined,
    });
    bar?.clear();
    console.log(summaryLine(input, output, options, result));
    return 0;
  } catch (error) {
    bar?.clear();
    if (error instanceof StereoEngineError) {
      console.error(`stereo-spot convert: ${error.code}: ${error.message}`);
      return error.code === 'ABORTED' ? 130 : 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `clip.mp4` → `clip_LR.mp4` (half-sbs) next to it; images keep their extension. */
function defaultOutput(input: string, mode: OutputMode): string {
  const dir = path.dirname(input);
  const name = path.basename(input);
  if (isImagePath(input)) {
    const ext = path.extname(name);
    return path.join(dir, `${path.basename(name, ext)}${OUTPUT_MODE_INFO[mode].fileSuffix}${ext}`);
  }
  return path.join(dir, outputFileName(name, mode));
}

function summaryLine(input: string, output: string, options: ConvertCommandOptions, result: ConvertResult): string {
  const what = result.durationSeconds > 0 ? `${result.frames} frames (${result.durationSeconds.toFixed(2)} s)` : 'image';
  const fps = result.seconds > 0 ? result.frames / result.seconds : 0;
  const parts = [
    `converted ${input} -> ${output}`,
    `${options.mode} ${result.width}x${result.height} -> ${result.outputWidth}x${result.outputHeight}`,
    what,
    `in ${result.seconds.toFixed(1)} s (${fps.toFixed(1)} fps)`,
    ...(result.hasAudio ? ['audio kept'] : []),
    ...(options.depthOut ? [`depth ${options.depthOut}`] : []),
  ];
  return parts.join(', ');
}

/** One line redrawn in place: bar, percentage, frames, fps and ETA. */
class ProgressBar {
  private lastWidth = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: ConvertProgress): void {
    const { frames, totalFrames, fps, fraction } = progress;
    const columns = Math.max(40, this.stream.columns ?? 80);
    const eta = fraction !== undefined && totalFrames && fps > 0 ? (totalFrames - frames) / fps : undefined;
    const counts = totalFrames ? `${frames}/${totalFrames}` : `${frames}`;
    const tail = ` ${fraction !== undefined ? `${Math.floor(fraction * 100)}%`.padStart(4) : ''} ${counts} frames ${fps.toFixed(1)} fps${eta !== undefined ? ` ETA ${clock(eta)}` : ''}`;
    const barWidth = Math.max(10, Math.min(40, columns - tail.length - 3));
    const filled = Math.round((fraction ?? 0) * barWidth);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastWidth - line.length))}`);
    this.lastWidth = line.length;
  }

  clear(): void {
    if (this.lastWidth > 0) this.stream.write(`\r${' '.repeat(this.lastWidth)}\r`);
    this.lastWidth = 0;
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function number(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`not a number: ${text}`);
  return value;
}

function integer(text: string): number {
  const value = number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError(`not a whole number: ${text}`);
  return value;
}
