/**
 * Two real Node processes share one SQLite file: a message in flight goes to one of them only,
 * and every conditional write has exactly one winner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { SqliteQueue } from '../src/queue/sqlite-queue';
import { openDatabase, type SqliteDatabase } from '../src/sqlite/database';
import { SqliteJobStore } from '../src/stores/sqlite-job-store';

const CONTENDER = path.join(__dirname, 'support', 'contender.ts');

interface Contender {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** Every stdout line after "ready", once the process exited with 0. */
  readonly lines: Promise<string[]>;
}

function startContender(args: string[]): Contender {
  const child = spawn(process.execPath, ['--import', 'tsx', CONTENDER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout.split('\n').slice(1).filter((line) => line !== ''));
      else reject(new Error(`contender exited with ${code}: ${stderr}`));
    });
  });
  return { child, ready, lines };
}

describe('several processes sharing one database', () => {
  let dir: TempDir;
  let db: SqliteDatabase;
  let dbPath: string;
  const contenders: Contender[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('multi-process');
    dbPath = path.join(dir.path, 'stereo-spot.db');
    db = openDatabase(dbPath);
  });
  afterEach(async () => {
    for (const { child } of contenders.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    db.close();
    await dir.remove();
  });

  it('never hands the same in-flight message to two receiving processes', async () => {
    // Prepare
    const goFile = path.join(dir.path, 'go');
    const doneFile = path.join(dir.path, 'done');
    const queue = new SqliteQueue({ db, name: 'shared', visibilityTimeoutSeconds: 120 });
    contenders.push(startContender(['receive', dbPath, goFile, doneFile]));
    contenders.push(startContender(['receive', dbPath, goFile, doneFile]));
    await Promise.all(contenders.map((contender) => contender.ready));
    const bodies = Array.from({ length: 60 }, (_, index) => `message ${index}`);
    // Act: both are long-polling while the messages arrive
    writeFileSync(goFile, '');
    for (const body of bodies) await queue.send(body);
    writeFileSync(doneFile, '');
    const [first, second] = await Promise.all(contenders.map((contender) => contender.lines));
    // Assess
    const ids = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { id: string }).id);
    const firstIds = ids(first!);
    const secondIds = ids(second!);
    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([]);
    expect(firstIds.length + secondIds.length).toBe(bodies.length);
    const received = [...first!, ...second!].map((line) => (JSON.parse(line) as { body: string }).body);
    expect(received.sort()).toEqual([...bodies].sort());
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: bodies.length });
  }, 60_000);

  it('gives every conditional write exactly one winner across processes', async () => {
    // Prepare
    const goFile = path.join(dir.path, 'go');
    const idsFile = path.join(dir.path, 'ids');
    const store = new SqliteJobStore(db);
    const jobs = Array.from({ length: 40 }, () => makeJob());
    for (const job of jobs) await store.create(job);
    writeFileSync(idsFile, jobs.map((job) => job.job_id).join('\n'));
    contenders.push(startContender(['conditional', dbPath, goFile, idsFile]));
    contenders.push(startContender(['conditional', dbPath, goFile, idsFile]));
    await Promise.all(contenders.map((contender) => contender.ready));
    // Act
    writeFileSync(goFile, '');
    const results = await Promise.all(contenders.map((contender) => contender.lines));
    // Assess
    const won = results.map(([line]) => JSON.parse(line!) as Record<'transitions' | 'creates' | 'starts', string[]>);
    for (const kind of ['transitions', 'creates', 'starts'] as const) {
      const all = won.flatMap((result) => result[kind]);
      expect(all.sort()).toEqual(jobs.map((job) => job.job_id).sort());
    }
  }, 60_000);
});
