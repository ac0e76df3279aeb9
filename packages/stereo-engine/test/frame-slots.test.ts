import { SlotPool, slotLayout, slotViews } from '../src/convert/frame-slots';

describe('slotLayout', () => {
  it('gives every buffer its own 16-byte aligned region inside the block', () => {
    const sizes = { frameBytes: 1001 * 667 + 3, cells: 257 * 145, outputBytes: 2002 * 667 + 5, depthBytes: 1001 * 667 };

    const layout = slotLayout(sizes);

    const regions = [
      [layout.frame, 1],
      [layout.a, 4],
      [layout.b, 4],
      [layout.output, 1],
      [layout.depth!, 1],
    ] as const;
    for (const [region] of regions) expect(region.offset % 16).toBe(0);
    for (let i = 1; i < regions.length; i++) {
      const [previous, elementBytes] = regions[i - 1]!;
      expect(regions[i]![0].offset).toBeGreaterThanOrEqual(previous.offset + previous.length * elementBytes);
    }
    expect(layout.byteLength).toBeGreaterThanOrEqual(layout.depth!.offset + layout.depth!.length);
    expect([layout.frame.length, layout.a.length, layout.output.length]).toEqual([sizes.frameBytes, sizes.cells, sizes.outputBytes]);
  });

  it('has no depth region when no depth video is written', () => {
    expect(slotLayout({ frameBytes: 6, cells: 4, outputBytes: 12, depthBytes: 0 }).depth).toBeUndefined();
  });
});

describe('slotViews', () => {
  it('maps the same bytes on a shared block from two sets of views (as main thread and worker do)', () => {
    const layout = slotLayout({ frameBytes: 30, cells: 5, outputBytes: 60, depthBytes: 20 });
    const block = new SharedArrayBuffer(layout.byteLength);

    const mainSide = slotViews(3, block, layout);
    const workerSide = slotViews(3, block, layout);
    mainSide.frame.fill(7);
    mainSide.a.set([0.5, 1, 2, 3, 4]);
    workerSide.output[59] = 9;
    workerSide.depth![0] = 200;

    expect(workerSide.frame.every((v) => v === 7)).toBe(true);
    expect(Array.from(workerSide.a)).toEqual([0.5, 1, 2, 3, 4]);
    expect(mainSide.output[59]).toBe(9);
    expect(mainSide.depth![0]).toBe(200);
    expect(mainSide.b.every((v) => v === 0)).toBe(true);
  });

  it('refuses a block smaller than the layout', () => {
    const layout = slotLayout({ frameBytes: 30, cells: 5, outputBytes: 60, depthBytes: 0 });

    expect(() => slotViews(0, new ArrayBuffer(layout.byteLength - 16), layout)).toThrow(/smaller than its layout/);
  });
});

describe('SlotPool', () => {
  const makeCounting = (): { pool: SlotPool<{ index: number }>; made: number[] } => {
    const made: number[] = [];
    const pool = new SlotPool((index) => {
      made.push(index);
      return { index };
    });
    return { pool, made };
  };

  it('makes a slot only when none is free, then reuses released ones', () => {
    const { pool, made } = makeCounting();

    const first = pool.take();
    const second = pool.take();
    pool.release(first);
    const third = pool.take();
    pool.release(second);
    pool.release(third);
    for (let frame = 0; frame < 100; frame++) {
      const a = pool.take();
      const b = pool.take();
      pool.release(a);
      pool.release(b);
    }

    expect(third).toBe(first);
    expect(made).toEqual([0, 1]);
    expect(pool.size).toBe(2);
  });

  it('grows to the most slots in use at once and no further', () => {
    const { pool, made } = makeCounting();
    const inUse: { index: number }[] = [];

    for (let step = 0; step < 50; step++) {
      inUse.push(pool.take());
      if (inUse.length > 4) pool.release(inUse.shift()!);
    }

    expect(made).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a slot released twice or not its own', () => {
    const { pool } = makeCounting();
    const other = makeCounting().pool;
    const slot = pool.take();
    pool.release(slot);

    expect(() => pool.release(slot)).toThrow(/released twice/);
    expect(() => pool.release(other.take())).toThrow(/not from this pool/);
  });
});
