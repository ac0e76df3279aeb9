/**
 * The buffers of one frame in flight, all views on one block of memory: the decoded frame, its
 * depth field's coefficients, the packed output and (when a depth video is written) the depth
 * bytes. With render workers the block is a SharedArrayBuffer that every worker maps once, so a
 * frame crosses threads as a slot number: nothing is copied, transferred or allocated per frame.
 */
export interface FrameSlot {
  readonly index: number;
  readonly frame: Uint8Array;
  /** The depth field's coefficients (DepthField.a / .b), one per grid cell. */
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly output: Uint8Array;
  readonly depth: Uint8Array | undefined;
}

export interface SlotSizes {
  readonly frameBytes: number;
  /** Grid cells of the depth field. */
  readonly cells: number;
  readonly outputBytes: number;
  /** 0 when no depth video is written. */
  readonly depthBytes: number;
}

interface Region {
  readonly offset: number;
  readonly length: number;
}

/** Where each buffer of a slot lies in its block (the same on every thread). */
export interface SlotLayout {
  readonly byteLength: number;
  readonly frame: Region;
  readonly a: Region;
  readonly b: Region;
  readonly output: Region;
  readonly depth: Region | undefined;
}

/** Lays a slot out: each buffer starts on a 16-byte boundary (float views need 4). */
export function slotLayout(sizes: SlotSizes): SlotLayout {
  let next = 0;
  const region = (bytes: number, elementBytes = 1): Region => {
    const offset = next;
    next = offset + ((bytes * elementBytes + 15) & ~15);
    return { offset, length: bytes };
  };
  const frame = region(sizes.frameBytes);
  const a = region(sizes.cells, 4);
  const b = region(sizes.cells, 4);
  const output = region(sizes.outputBytes);
  const depth = sizes.depthBytes > 0 ? region(sizes.depthBytes) : undefined;
  return { byteLength: next, frame, a, b, output, depth };
}

/** The views of slot `index` on its block. */
export function slotViews(index: number, block: ArrayBufferLike, layout: SlotLayout): FrameSlot {
  if (block.byteLength < layout.byteLength) {
    throw new RangeError(`slot ${index}: a block of ${block.byteLength} bytes is smaller than its layout (${layout.byteLength})`);
  }
  return {
    index,
    frame: new Uint8Array(block, layout.frame.offset, layout.frame.length),
    a: new Float32Array(block, layout.a.offset, layout.a.length),
    b: new Float32Array(block, layout.b.offset, layout.b.length),
    output: new Uint8Array(block, layout.output.offset, layout.output.length),
    depth: layout.depth ? new Uint8Array(block, layout.depth.offset, layout.depth.length) : undefined,
  };
}

/**
 * Free slots for reuse. A slot is made only when none is free, so the pool grows to the most
 * frames ever in flight at once (bounded by the conversion's backpressure) and then stops
 * allocating. Taking or releasing a slot twice is a bug and throws.
 */
export class SlotPool<T extends { readonly index: number }> {
  private readonly slots: T[] = [];
  private readonly free: T[] = [];
  private readonly taken = new Set<number>();

  constructor(private readonly make: (index: number) => T) {}

  /** Slots made so far. */
  get size(): number {
    return this.slots.length;
  }

  take(): T {
    let slot = this.free.pop();
    if (!slot) {
      slot = this.make(this.slots.length);
      if (slot.index !== this.slots.length) throw new RangeError(`slot made as ${this.slots.length} calls itself ${slot.index}`);
      this.slots.push(slot);
    }
    this.taken.add(slot.index);
    return slot;
  }

  release(slot: T): void {
    if (this.slots[slot.index] !== slot) throw new RangeError(`slot ${slot.index} is not from this pool`);
    if (!this.taken.delete(slot.index)) throw new RangeError(`slot ${slot.index} released twice`);
    this.free.push(slot);
  }
}
