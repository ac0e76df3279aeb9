import { decoderThreadsFor } from '../src/convert/options';

describe('decoderThreadsFor', () => {
  it('gives the decoder one thread per four render workers, at least one', () => {
    const workers = [0, 1, 2, 3, 4, 7, 8, 16];

    const threads = workers.map(decoderThreadsFor);

    expect(threads).toEqual([1, 1, 1, 1, 1, 1, 2, 4]);
  });
});
