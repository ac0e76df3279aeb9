import { formatBytes } from '../src/sizes';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [20 * 1024 * 1024 + 300_000, '20 MiB'],
    [2_000_000, '1.9 MiB'],
    [2 * 1024 ** 3, '2.0 GiB'],
    [5 * 1024 ** 5, '5120 TiB'],
  ])('shows %d as %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown);
  });
});
