import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import {
  ANAGLYPH_METHODS,
  ApiErrorSchema,
  CreateJobResponseSchema,
  formatBytes,
  JobViewSchema,
  OUTPUT_MODES,
  type CreateJobRequest,
  type JobView,
} from '@stereo-spot/shared-types';

/**
 * `stereo-spot submit <video>`: the pipeline from the outside, through the web-ui API only, as any
 * client would: create the job, upload to the presigned URL, follow its progress over SSE, and
 * download the result.
 */
export function submitCommand(): Command {
  return new Command('submit')
    .description('Submit a video to a running stereo-spot (see `up`), follow it and download the 3D result.')
    .argument('<video>', 'the video file to convert')
    .addOption(new Option('-m, --mode <mode>', 'output layout').choices(OUTPUT_MODES).default('anaglyph'))
    .option('--divergence <percent>', '3D strength (0-10)', parseNumber)
    .option('--convergence <0..1>', 'screen plane depth (0-1)', parseNumber)
    .addOption(new Option('--anaglyph-method <method>', 'anaglyph colours').choices(ANAGLYPH_METHODS))
    .option('--wait', 'wait for the job to finish and download the result')
    .option('-o, --output <file>', 'where to save the result (implies --wait)')
    .option('--server <url>', 'the web-ui address', process.env.STEREO_SPOT_URL ?? 'http://127.0.0.1:8080')
    .action(async (video: string, options: SubmitOptions) => {
      process.exitCode = await submit(video, options);
    });
}

interface SubmitOptions {
  readonly mode: CreateJobRequest['mode'];
  readonly divergence?: number;
  readonly convergence?: number;
  readonly anaglyphMethod?: CreateJobRequest['anaglyph_method'];
  readonly wait?: boolean;
  readonly output?: string;
  readonly server: string;
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`not a number: ${text}`);
  return value;
}

class Client {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(server: string) {
    this.base = server.replace(/\/+$/, '');
    const token = process.env.WEB_UI_AUTH_TOKEN;
    this.headers = token ? { Authorization: `Bearer ${token}` } : {};
  }

  url(pathOrUrl: string): string {
    return new URL(pathOrUrl, `${this.base}/`).toString();
  }

  async request(method: string, apiPath: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url(apiPath), {
        method,
        ...init,
        headers: {
          ...this.headers,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(init.headers as Record<string, string> | undefined),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new Error(
        `cannot reach stereo-spot at ${this.base} (is \`stereo-spot up\` running?): ${String(error)}`,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      const parsed = ApiErrorSchema.safeParse(safeJson(text));
      throw new Error(
        `${method} ${apiPath} failed (${response.status}): ${parsed.success ? parsed.data.error.message : text}`,
      );
    }
    return response;
  }
}

export async function submit(video: string, options: SubmitOptions): Promise<number> {
  const client = new Client(options.server);
  const size = (await stat(video)).size;
  const request: CreateJobRequest = {
    file_name: path.basename(video),
    mode: options.mode,
    file_size: size,
    ...(options.divergence !== undefined ? { divergence: options.divergence } : {}),
    ...(options.convergence !== undefined ? { convergence: options.convergence } : {}),
    ...(options.anaglyphMethod !== undefined ? { anaglyph_method: options.anaglyphMethod } : {}),
  };
  const created = CreateJobResponseSchema.parse(
    await (await client.request('POST', '/api/jobs', request)).json(),
  );
  const jobId = created.job.job_id;
  console.error(`job ${jobId} created (${options.mode})`);

  const progress = new ProgressLine();
  await upload(client, created.upload.url, created.upload.headers, video, size, progress);
  progress.done(`uploaded ${formatBytes(size)}`);
  if (!options.wait && options.output === undefined) {
    console.log(jobId);
    return 0;
  }

  const final = await follow(client, jobId, progress);
  if (final.status === 'failed') {
    progress.done(`job ${jobId} failed: ${final.error ?? 'no reason given'}`);
    return 1;
  }
  const output = options.output ?? final.download_file_name ?? `${jobId}.mp4`;
  await download(client, final, output);
  progress.done(`job ${jobId} completed: ${output}`);
  console.log(path.resolve(output));
  return 0;
}

async function upload(
  client: Client,
  url: string,
  headers: Record<string, string>,
  file: string,
  size: number,
  progress: ProgressLine,
): Promise<void> {
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      progress.update(`uploading ${formatBytes(sent)} / ${formatBytes(size)}`, size === 0 ? 1 : sent / size);
      callback(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(file).pipe(counter)) as ReadableStream<Uint8Array>;
  const response = await fetch(client.url(url), {
    method: 'PUT',
    headers: { ...headers, 'Content-Length': String(size) },
    body,
    duplex: 'half',
  } as RequestInit);
  if (!response.ok) throw new Error(`upload refused (${response.status}): ${await response.text()}`);
}

/** Follows the job's SSE stream until it completes or fails (reconnecting if the stream drops). */
async function follow(client: Client, jobId: string, progress: ProgressLine): Promise<JobView> {
  for (;;) {
    const response = await client.request('GET', `/api/jobs/${jobId}/events`, undefined, {
      headers: { Accept: 'text/event-stream' },
    });
    let last: JobView | undefined;
    for await (const event of serverSentEvents(response)) {
      if (event.event === 'gone') throw new Error(`job ${jobId} was deleted`);
      if (event.event !== 'job') continue;
      last = JobViewSchema.parse(JSON.parse(event.data));
      const { stage, segments_done, total_segments, fraction } = last.progress;
      const segments = total_segments !== undefined ? ` ${segments_done}/${total_segments} segments` : '';
      progress.update(`${stage}${segments}`, fraction);
      if (last.status === 'completed' || last.status === 'failed') return last;
    }
  }
}

async function* serverSentEvents(response: Response): AsyncGenerator<{ event: string; data: string }> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

async function download(client: Client, job: JobView, output: string): Promise<void> {
  if (job.download_url === undefined) throw new Error(`job ${job.job_id} completed without a download URL`);
  const response = await fetch(client.url(job.download_url));
  if (!response.ok || response.body === null) throw new Error(`download failed (${response.status})`);
  const partial = `${output}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
    await rename(partial, output);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** One updating line on a terminal; one line per stage change otherwise (logs, CI). */
class ProgressLine {
  private lastStage = '';
  private readonly tty = process.stderr.isTTY === true;

  update(text: string, fraction: number): void {
    if (this.tty) {
      const width = 24;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
      process.stderr.write(`\r\x1b[2K${bar} ${text}`);
      return;
    }
    const stage = text.replace(/[\d.]+ ?[KMG]?i?B.*$/, '').trim();
    if (stage !== this.lastStage) {
      this.lastStage = stage;
      process.stderr.write(`${text}\n`);
    }
  }

  done(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    this.lastStage = '';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
