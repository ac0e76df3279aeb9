/**
 * `npm run bench` row of the pipeline: the wall time of one job through a running `stereo-spot up`
 * (submit → upload → chunking → segments → reassembly → download), against a direct
 * `stereo-spot convert` of the same file, measured in the same run with the engine's defaults on
 * both sides. Goal: ≤ 1.3×.
 */
import path from 'node:path';
import { makeTestClip } from '@stereo-spot/testing';
import { videoFacts } from './support/media';
import { runCli, stopAll } from './support/processes';
import { e2eDeployment } from './support/deployment';

export interface BenchmarkCase {
  readonly name: string;
  run(): Promise<Record<string, string | number>>;
}

export function benchmarkCases(): BenchmarkCase[] {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10) * 2;
  return [{ name: `pipeline half-sbs 720p ${seconds}s`, run: () => runPipelineCase(seconds) }];
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function runPipelineCase(seconds: number): Promise<Record<string, string | number>> {
  // Embedded defaults (10 s segments, the engine's own settings): what `npm start` runs.
  const deployment = await e2eDeployment({
    SEGMENT_DURATION_SECONDS: '',
    BUILTIN_ENGINE_PRESET: '',
    BUILTIN_ENGINE_DEPTH_RESOLUTION: '',
    BUILTIN_ENGINE_THREADS: '',
    LOG_LEVEL: 'warn',
  });
  try {
    const clip = await makeTestClip({
      seconds,
      width: 1280,
      height: 720,
      fps: 30,
      bFrames: true,
      dir: deployment.home.path,
    });
    const direct = path.join(deployment.home.path, 'direct.mp4');
    const viaPipeline = path.join(deployment.home.path, 'pipeline.mp4');

    const convert = await timed(() =>
      runCli(['convert', clip.path, '-o', direct, '--mode', 'half-sbs'], deployment.env),
    );
    if (convert.value.code !== 0) throw new Error(`convert failed: ${convert.value.stderr}`);

    const up = deployment.start('up', ['up'], { LOG_LEVEL: 'info' });
    await up.waitForLog((line) => line.msg === 'stereo-spot started', 60_000);
    const submit = await timed(() =>
      runCli(
        ['submit', clip.path, '--mode', 'half-sbs', '-o', viaPipeline, '--server', deployment.url],
        deployment.env,
      ),
    );
    if (submit.value.code !== 0) throw new Error(`submit failed: ${submit.value.stderr}`);
    const segments = up.logs.find((line) => line.msg.includes('chunking complete'))?.total_segments ?? '?';
    await up.stop();

    const frames = videoFacts(viaPipeline).videoFrames;
    return {
      clip: `${clip.width}x${clip.height} ${seconds}s 30fps`,
      frames,
      segments: String(segments),
      'convert s': convert.seconds.toFixed(1),
      'pipeline s': submit.seconds.toFixed(1),
      'pipeline / convert': (submit.seconds / convert.seconds).toFixed(2),
    };
  } finally {
    await stopAll();
    await deployment.remove();
  }
}
