import { execFileSync } from 'node:child_process';

const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
const ffprobe = process.env.FFPROBE_PATH || 'ffprobe';

export function ffmpegSync(args: readonly string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: 'pipe' });
}

/** A testsrc2 clip with B-frames (libx264 veryfast), a keyframe every `gop` frames, optional sine audio. */
export function makeClip(
  file: string,
  spec: {
    width?: number;
    height?: number;
    rate?: number;
    seconds?: number;
    gop?: number;
    audio?: boolean;
  } = {},
): string {
  const { width = 160, height = 90, rate = 25, seconds = 4, gop = 25, audio = true } = spec;
  ffmpegSync([
    ...['-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=${rate}:d=${seconds}`],
    ...(audio ? ['-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`] : []),
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-g', String(gop), '-pix_fmt', 'yuv420p'],
    ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
    file,
  ]);
  return file;
}

export interface StreamFacts {
  readonly codecType: string;
  readonly frames: number;
  readonly durationSeconds: number;
}

/** Decoded frame counts and durations of every stream (decodes: keep clips small). */
export function streamsOf(file: string): StreamFacts[] {
  const out = execFileSync(
    ffprobe,
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=codec_type,nb_read_frames,duration',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const json = JSON.parse(out) as {
    streams: { codec_type: string; nb_read_frames?: string; duration?: string }[];
  };
  return json.streams.map((s) => ({
    codecType: s.codec_type,
    frames: Number(s.nb_read_frames ?? 0),
    durationSeconds: Number(s.duration ?? 0),
  }));
}

export function formatDuration(file: string): number {
  return Number(
    execFileSync(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
      encoding: 'utf8',
    }).trim(),
  );
}

/** Presentation times of the video frames, in seconds. */
export function videoFrameTimes(file: string): number[] {
  return execFileSync(
    ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  )
    .split('\n')
    .map((line) => line.split(',')[0]!.trim())
    .filter((t) => t !== '')
    .map(Number);
}

/** Whether each video frame is a keyframe, in order. */
export function keyFrameFlags(file: string): boolean[] {
  return execFileSync(
    ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  )
    .split('\n')
    .map((line) => line.split(',')[0]!.trim())
    .filter((t) => t !== '')
    .map((t) => t === '1');
}
