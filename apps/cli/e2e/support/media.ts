/** What the assertions need to know about a video file, from ffprobe (real decoding). */
import { execFileSync } from 'node:child_process';

const ffprobe = () => process.env.FFPROBE_PATH?.trim() || 'ffprobe';
const ffmpeg = () => process.env.FFMPEG_PATH?.trim() || 'ffmpeg';

export interface VideoFacts {
  readonly videoFrames: number;
  readonly durationSeconds: number;
  readonly frameRate: number;
  readonly audioCodec?: string;
  readonly width: number;
  readonly height: number;
}

export function videoFacts(file: string): VideoFacts {
  const json = JSON.parse(
    execFileSync(
      ffprobe(),
      [
        ...['-v', 'error', '-count_frames', '-of', 'json'],
        ...[
          '-show_entries',
          'stream=codec_type,codec_name,nb_read_frames,avg_frame_rate,width,height:format=duration',
        ],
        file,
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    ),
  ) as {
    streams: {
      codec_type: string;
      codec_name: string;
      nb_read_frames?: string;
      avg_frame_rate?: string;
      width?: number;
      height?: number;
    }[];
    format: { duration: string };
  };
  const video = json.streams.find((s) => s.codec_type === 'video');
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  if (video === undefined) throw new Error(`${file} has no video stream`);
  const [num, den] = (video.avg_frame_rate ?? '0/1').split('/').map(Number) as [number, number];
  return {
    videoFrames: Number(video.nb_read_frames ?? 0),
    durationSeconds: Number(json.format.duration),
    frameRate: den ? num / den : 0,
    width: video.width ?? 0,
    height: video.height ?? 0,
    ...(audio !== undefined ? { audioCodec: audio.codec_name } : {}),
  };
}

/** Presentation times of every video frame, in order. */
export function videoFrameTimes(file: string): number[] {
  return execFileSync(
    ffprobe(),
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
    .split('\n')
    .map((line) => line.split(',')[0]?.trim() ?? '')
    .filter((t) => t !== '')
    .map(Number);
}

/** MD5 of the first audio stream's packets: equal means the very same audio, sample for sample. */
export function audioStreamMd5(file: string): string {
  return execFileSync(
    ffmpeg(),
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'md5', '-'],
    {
      encoding: 'utf8',
    },
  ).trim();
}
