/**
 * `npm run bench` row of the pipeline: the wall time of one job through a running `stereo-spot up`
 * (submit → upload → chunking → segments → reassembly → download), against a direct
 * `stereo-spot convert` of the same file, measured in the same run with the engine's defaults on
 * both sides: BENCH_RUNS (default 3) of each, alternately, and the ratio of their medians. Goal: ≤ 1.15×.
 */
import path from 'node:path';
import { makeTestClip } from '@stereo-spot/testing';
import { videoFacts } from './support/media';
import { runCli, stopAll } from './support/processes';
import { e2eDeployment } from './support/deployment';

export interface BenchmarkCase {
  readonly name: string;
  /** `runs`: jobs and conversions each (BENCH_RUNS, read by scripts/bench.ts). */
  run(options: { readonly runs: number }): Promise<Record<string, string | number>>;
}

export function benchmarkCases(): BenchmarkCase[] {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10) * 2;
  return [{ name: `pipeline half-sbs 720p ${seconds}s`, run: ({ runs }) => runPipelineCase(seconds, runs) }];
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `runs` of each side, alternately; the medians are compared, so one disturbed run does not decide. */
async function runPipelineCase(seconds: number, runs: number): Promise<Record<string, string | number>> {
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
    const up = deployment.start('up', ['up'], { LOG_LEVEL: 'info' });
    await up.waitForLog((line) => line.msg === 'stereo-spot started', 60_000);
    // Alternately, so that both sides share whatever else the machine is doing.
    const convertSeconds: number[] = [];
    const pipelineSeconds: number[] = [];
    let viaPipeline = '';
    for (let run = 1; run <= runs; run++) {
      const direct = path.join(deployment.home.path, `direct-${run}.mp4`);
      viaPipeline = path.join(deployment.home.path, `pipeline-${run}.mp4`);
      const convert = await timed(() =>
        runCli(['convert', clip.path, '-o', direct, '--mode', 'half-sbs'], deployment.env),
      );
      if (convert.value.code !== 0) throw new Error(`convert failed: ${convert.value.stderr}`);
      const submit = await timed(() =>
        runCli(
          ['submit', clip.path, '--mode', 'half-sbs', '-o', viaPipeline, '--server', deployment.url],
          deployment.env,
        ),
      );
      if (submit.value.code !== 0) throw new Error(`submit failed: ${submit.value.stderr}`);
      convertSeconds.push(convert.seconds);
      pipelineSeconds.push(submit.seconds);
    }
    const segments = up.logs.find((line) => line.msg.includes('chunking complete'))?.total_segments ?? '?';
    await up.stop();

    const frames = videoFacts(viaPipeline).videoFrames;
    const convertMedian = median(convertSeconds);
    const pipelineMedian = median(pipelineSeconds);
    return {
      clip: `${clip.width}x${clip.height} ${seconds}s 30fps`,
      frames,
      segments: String(segments),
      'convert s': `${convertMedian.toFixed(1)} (median of ${convertSeconds.map((v) => v.toFixed(1)).join(', ')})`,
      'pipeline s': `${pipelineMedian.toFixed(1)} (median of ${pipelineSeconds.map((v) => v.toFixed(1)).join(', ')})`,
      'pipeline / convert': (pipelineMedian / convertMedian).toFixed(2),
    };
  } finally {
    await stopAll();
    await deployment.remove();
  }
}
