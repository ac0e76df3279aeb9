/**
 * The message a platform of our own (the embedded one, the in-memory fakes, an operator re-sending
 * work) queues when objects are created under a notification rule: plain keys, no encoding.
 * S3's own notification format is read at the AWS edge (aws-adapters), not here.
 */
import { z } from 'zod';
import { type InvalidPayloadError } from './errors';
import { parseJsonWith } from './json';
import { type Result } from './result';

export const ObjectsCreatedMessageSchema = z.object({
  objects_created: z
    .array(z.object({ key: z.string().min(1), size: z.number().int().nonnegative().optional() }))
    .min(1),
});
export type ObjectsCreatedMessage = z.infer<typeof ObjectsCreatedMessageSchema>;

export interface CreatedObject {
  readonly key: string;
  readonly size?: number;
}

export function parseObjectsCreatedMessage(body: string): Result<ObjectsCreatedMessage, InvalidPayloadError> {
  return parseJsonWith(ObjectsCreatedMessageSchema, body, 'objects-created message');
}

export function buildObjectsCreatedMessage(objects: readonly CreatedObject[]): string {
  return JSON.stringify({
    objects_created: objects.map(({ key, size }) => (size === undefined ? { key } : { key, size })),
  } satisfies ObjectsCreatedMessage);
}
