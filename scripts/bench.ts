// `npm run bench`: runs the benchmark cases of every package and prints one markdown table.
// To add rows, export `benchmarkCases(): BenchmarkCase[]` from a module and list it below; a module
// may also export `benchmarkNotes(): string` (run after the cases, printed under the table).
import os from 'node:os';
import path from 'node:path';

/** What every case is given: how many runs of each side it measures (BENCH_RUNS, default 3). */
interface BenchmarkOptions {
  readonly runs: number;
}

interface BenchmarkCase {
  readonly name: string;
  run(options: BenchmarkOptions): Promise<Record<string, string | number>>;
}

/** BENCH_RUNS, checked before anything runs; undefined (said on stderr) when it is not a count. */
function benchmarkOptions(env: NodeJS.ProcessEnv): BenchmarkOptions | undefined {
  const runs = Number(env.BENCH_RUNS ?? 3);
  if (Number.isInteger(runs) && runs >= 1) return { runs };
  process.stderr.write(`bench: BENCH_RUNS must be a whole number ≥ 1, not ${JSON.stringify(env.BENCH_RUNS)}\n`);
  return undefined;
}

const CASE_MODULES = ['packages/stereo-engine/bench/cases.ts', 'apps/cli/e2e/bench.ts'];

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  const options = benchmarkOptions(process.env);
  if (!options) {
    process.exitCode = 2;
    return;
  }
  const root = path.resolve(__dirname, '..');
  const cases: BenchmarkCase[] = [];
  const notes: Array<() => string> = [];
  for (const modulePath of CASE_MODULES) {
    const loaded = (await import(path.join(root, modulePath))) as { benchmarkCases(): BenchmarkCase[]; benchmarkNotes?: () => string };
    cases.push(...loaded.benchmarkCases());
    if (loaded.benchmarkNotes) notes.push(loaded.benchmarkNotes);
  }
  const selected = only ? cases.filter((c) => c.name.includes(only)) : cases;
  const rows: Array<Record<string, string | number>> = [];
  const loadBefore = os.loadavg()[0] ?? 0;
  for (const benchmark of selected) {
    process.stderr.write(`bench: ${benchmark.name} ...\n`);
    try {
      rows.push({ case: benchmark.name, ...(await benchmark.run(options)) });
    } catch (error) {
      rows.push({ case: benchmark.name, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '' });
    }
  }
  const loadAfter = os.loadavg()[0] ?? 0;
  const noteTexts: string[] = [];
  for (const note of notes) {
    process.stderr.write('bench: notes ...\n');
    noteTexts.push(note());
  }
  console.log(table(rows));
  for (const text of noteTexts) console.log(`\n${text}`);
  console.log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${loadBefore.toFixed(1)} before / ${loadAfter.toFixed(1)} after; ` +
      'figures are wall-clock and share the machine with whatever else runs.',
  );
}

/** A markdown table whose columns are every key seen, in order of first appearance. */
export function table(rows: ReadonlyArray<Record<string, string | number>>): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cell = (row: Record<string, string | number>, key: string): string => String(row[key] ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r, c))))].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
