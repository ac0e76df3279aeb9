/**
 * Runs the tasks `size` at a time and resolves with their results in the tasks' order. On a
 * failure it rejects with the first one once its batch has settled, so nothing of that batch is
 * still running when the caller cleans up (a scratch folder, say); later batches do not start.
 */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, size: number): Promise<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a whole number ≥ 1, not ${size}`);
  const results: T[] = [];
  for (let start = 0; start < tasks.length; start += size) {
    const settled = await Promise.allSettled(tasks.slice(start, start + size).map((task) => task()));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const result of settled) if (result.status === 'fulfilled') results.push(result.value);
  }
  return results;
}
