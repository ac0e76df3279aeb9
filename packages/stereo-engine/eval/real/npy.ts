/* eslint-disable @typescript-eslint/no-non-null-assertion -- byte parsing: offsets checked against lengths */
// Reads a float32 array from a NumPy .npz archive (a zip of .npy files): enough of the zip
// format (central directory, stored or deflated entries) and of the .npy header for the eval's
// ground truth, and nothing more.
import { inflateRawSync } from 'node:zlib';

export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function readNpzEntry(archive: Buffer, name: string): NpyArray {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  for (let k = 0; k < entries; k++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = archive.readUInt16LE(at + 10);
    let compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    let local = archive.readUInt32LE(at + 42);
    const entryName = archive.toString('utf8', at + 46, at + 46 + nameLength);
    // NumPy writes zip64 fields for large entries; the sizes then live in the extra field.
    if (compressed === 0xffffffff || local === 0xffffffff) {
      const extra = archive.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      ({ compressed, local } = zip64(extra, archive.readUInt32LE(at + 24), compressed, local));
    }
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(start, start + compressed);
    return parseNpy(method === 8 ? inflateRawSync(raw) : method === 0 ? raw : unsupported(method));
  }
  throw new Error(`${name} is not in the archive`);
}

function zip64(extra: Buffer, size: number, compressed: number, local: number): { compressed: number; local: number } {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      if (size === 0xffffffff) q += 8;
      if (compressed === 0xffffffff) compressed = Number(extra.readBigUInt64LE((q += 8) - 8));
      if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(q));
    }
    p += 4 + length;
  }
  return { compressed, local };
}

function unsupported(method: number): never {
  throw new Error(`zip compression method ${method} is not supported`);
}

function parseNpy(bytes: Buffer): NpyArray {
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not a .npy array');
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (descr !== '<f4' || fortran) throw new Error(`only little-endian float32 C-order arrays are read (got ${descr})`);
  const body = bytes.subarray(headerStart + headerLength);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(4 * i);
  return { shape, data };
}
