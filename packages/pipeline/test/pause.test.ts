import { pause } from '../src/pause';

describe('pause', () => {
  it('waits the time it is given', async () => {
    // Act
    const started = Date.now();
    await pause(30);

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends early, without throwing, when the signal aborts, and at once when it already has', async () => {
    // Prepare
    const stop = new AbortController();
    const stopped = new AbortController();
    stopped.abort();

    // Act
    const started = Date.now();
    const waiting = pause(60_000, stop.signal);
    setTimeout(() => stop.abort(), 10);
    await waiting;
    await pause(60_000, stopped.signal);

    // Assess
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
