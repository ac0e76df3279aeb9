/**
 * A separate Node process for the multi-process tests (run with `node --import tsx`). It opens the
 * shared database, says "ready", waits for the go file, then contends with its sibling:
 *
 *   receive <db> <go-file> <done-file>   receive without deleting until the done file exists and
 *                                        the queue is empty; prints one JSON line per message
 *   conditional <db> <go-file> <ids-file> for every job id: transition, lock create, lock start;
 *                                        prints what it won as one JSON line
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { toJobId } from '@stereo-spot/shared-types';
import { newReassemblyTriggered } from '@stereo-spot/shared-types';
import { SqliteQueue } from '../../src/queue/sqlite-queue';
import { openDatabase } from '../../src/sqlite/database';
import { SqliteJobStore } from '../../src/stores/sqlite-job-store';
import { SqliteReassemblyTriggeredStore } from '../../src/stores/sqlite-reassembly-triggered';

async function waitFor(file: string): Promise<void> {
  while (!existsSync(file)) await sleep(5);
}

async function receive(dbPath: string, goFile: string, doneFile: string): Promise<void> {
  const db = openDatabase(dbPath);
  const queue = new SqliteQueue({ db, name: 'shared', visibilityTimeoutSeconds: 120, pollIntervalMs: 10 });
  console.log('ready');
  await waitFor(goFile);
  for (;;) {
    const messages = await queue.receive({ maxMessages: 3, waitSeconds: 1 });
    for (const message of messages) console.log(JSON.stringify({ id: message.messageId, body: message.body }));
    if (messages.length === 0 && existsSync(doneFile)) break;
  }
  db.close();
}

async function conditional(dbPath: string, goFile: string, idsFile: string): Promise<void> {
  const db = openDatabase(dbPath);
  const jobs = new SqliteJobStore(db);
  const locks = new SqliteReassemblyTriggeredStore(db);
  const ids = readFileSync(idsFile, 'utf8').trim().split('\n').map(toJobId);
  console.log('ready');
  await waitFor(goFile);
  const won = { transitions: [] as string[], creates: [] as string[], starts: [] as string[] };
  const now = Date.now();
  for (const id of ids) {
    if ((await jobs.transition(id, 'chunking_in_progress')).applied) won.transitions.push(id);
    if (await locks.tryCreate(newReassemblyTriggered(id, now))) won.creates.push(id);
    if (await locks.tryStart(id, now, 60_000)) won.starts.push(id);
  }
  console.log(JSON.stringify(won));
  db.close();
}

const [mode, ...args] = process.argv.slice(2);
const run =
  mode === 'receive'
    ? receive(args[0] ?? '', args[1] ?? '', args[2] ?? '')
    : mode === 'conditional'
      ? conditional(args[0] ?? '', args[1] ?? '', args[2] ?? '')
      : Promise.reject(new Error(`unknown mode ${mode}`));
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
