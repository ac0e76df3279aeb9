import { execFileSync } from 'node:child_process';
import path from 'node:path';

const FFMPEG = process.env.FFMPEG_PATH || 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH || 'ffprobe';

/** A tiny real clip (testsrc2, H.264): 320x180, 10 fps, `seconds` long. */
export function makeClip(dir: string, name = 'clip.mp4', seconds = 0.5): string {
  const file = path.join(dir, name);
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=320x180:rate=10:duration=${seconds}`,
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-y',
    file,
  ]);
  return file;
}

export interface ProbedVideo {
  width: number;
  height: number;
  frames: number;
}

/** Width, height and decoded frame count of a video file. */
export function probeVideo(file: string): ProbedVideo {
  const out = execFileSync(
    FFPROBE,
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const stream = (JSON.parse(out) as { streams: Array<{ width: number; height: number; nb_read_frames: string }> })
    .streams[0]!;
  return { width: stream.width, height: stream.height, frames: Number(stream.nb_read_frames) };
}
