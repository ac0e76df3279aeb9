/** Opaque pagination cursors: the last item's sort position, base64url JSON. */
import { z } from 'zod';
import { InvalidArgumentError } from '../errors';

const CursorSchema = z.object({ value: z.number(), id: z.string() });
export type Cursor = z.infer<typeof CursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidArgumentError('invalid pagination cursor');
  }
}
