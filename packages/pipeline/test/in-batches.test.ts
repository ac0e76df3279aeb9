import { inBatches } from '../src/in-batches';

/** A task that records how many tasks run at once and finishes after `ms`. */
function tracked(running: { now: number; most: number }, value: number, ms: number, fail = false): () => Promise<number> {
  return async () => {
    running.now++;
    running.most = Math.max(running.most, running.now);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running.now--;
    if (fail) throw new Error(`task ${value} failed`);
    return value;
  };
}

describe('inBatches', () => {
  it('runs the tasks a batch at a time and gives their results in order, whatever finishes first', async () => {
    // Prepare
    const running = { now: 0, most: 0 };
    const tasks = [30, 5, 20, 1, 10].map((ms, i) => tracked(running, i, ms));

    // Act
    const results = await inBatches(tasks, 2);

    // Assess
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(running.most).toBe(2);
  });

  it('rejects with the first failure once its batch has settled, and starts no later batch', async () => {
    // Prepare
    const running = { now: 0, most: 0 };
    let lateStarted = false;
    const tasks = [
      tracked(running, 0, 1, true),
      tracked(running, 1, 20),
      async () => {
        lateStarted = true;
        return 2;
      },
    ];

    // Act
    const error = await inBatches(tasks, 2).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toEqual(new Error('task 0 failed'));
    expect(running.now).toBe(0);
    expect(lateStarted).toBe(false);
  });

  it('refuses a batch size that is not a whole number of at least one', async () => {
    await expect(inBatches([], 0)).rejects.toThrow(RangeError);
  });
});
