import { ConcurrencyLimit } from '../../src/security/stream-limit';

describe('ConcurrencyLimit', () => {
  it('caps per key and in total, and frees a slot once on release', () => {
    // Prepare
    const limit = new ConcurrencyLimit(2, 1);

    // Act
    const a = limit.acquire('a');
    const secondA = limit.acquire('a');
    const b = limit.acquire('b');
    const c = limit.acquire('c');
    if (a.acquired) {
      a.release();
      a.release();
    }
    const cAgain = limit.acquire('c');

    // Assess
    expect(secondA).toEqual({ acquired: false, reason: 'client' });
    expect(b.acquired).toBe(true);
    expect(c).toEqual({ acquired: false, reason: 'total' });
    expect(cAgain.acquired).toBe(true);
    expect(limit.open).toBe(2);
  });
});
