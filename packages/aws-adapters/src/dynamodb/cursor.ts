import { z } from 'zod';
import { AwsAdapterError } from '../errors';

/**
 * Opaque page cursors for the Jobs lists. A list reads one or more GSI "lanes" (one per status);
 * the cursor keeps, per lane, the key of the last item handed out (`ExclusiveStartKey` of the
 * next query) or `null` once the lane is exhausted. It is base64url JSON tagged with the list it
 * belongs to, so a cursor of one list is refused by another.
 */
const KeyValueSchema = z.union([z.string(), z.number()]);
const CursorSchema = z.object({
  list: z.string(),
  lanes: z.record(z.string(), z.record(z.string(), KeyValueSchema).nullable()),
});

export type LaneKey = Record<string, string | number>;
export type LanePositions = Record<string, LaneKey | null>;

export function encodeCursor(list: string, lanes: LanePositions): string {
  return Buffer.from(JSON.stringify({ list, lanes }), 'utf8').toString('base64url');
}

export function decodeCursor(list: string, cursor: string): LanePositions {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor(list, 'not a cursor this store produced');
  }
  const parsed = CursorSchema.safeParse(value);
  if (!parsed.success) throw invalidCursor(list, 'not a cursor this store produced');
  if (parsed.data.list !== list) throw invalidCursor(list, `it belongs to the ${parsed.data.list} list`);
  return parsed.data.lanes;
}

function invalidCursor(list: string, reason: string): AwsAdapterError {
  return new AwsAdapterError('INVALID_CURSOR', `invalid cursor for the ${list} job list: ${reason}`, true);
}
