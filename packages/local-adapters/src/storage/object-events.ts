/**
 * The embedded platform's object events: the pipeline's own objects-created message (plain keys).
 * Versions before it wrote S3-shaped notification bodies, and a queue or DLQ in an existing
 * database may still hold some: those still read. Their keys are form-encoded like S3's
 * (`+` is a space), so they are decoded here.
 */
import { objectsCreatedMessageFormat, type ObjectEventFormat } from '@stereo-spot/pipeline';
import { err, InvalidPayloadError, ok, parseJsonWith } from '@stereo-spot/shared-types';
import { z } from 'zod';

/** The part of an earlier version's S3-shaped body the pipeline used. */
const EarlierNotificationSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:s3'),
        s3: z.object({ object: z.object({ key: z.string().min(1) }) }),
      }),
    )
    .min(1),
});

export const localObjectEventFormat: ObjectEventFormat = {
  decode(body) {
    const current = objectsCreatedMessageFormat.decode(body);
    if (current.ok) return current;
    const earlier = parseJsonWith(EarlierNotificationSchema, body, 'objects-created message');
    // Neither: the reason given is the current format's.
    if (!earlier.ok) return current;
    const keys: string[] = [];
    for (const record of earlier.value.Records) {
      const encoded = record.s3.object.key;
      try {
        keys.push(decodeURIComponent(encoded.replace(/\+/g, ' ')));
      } catch {
        return err(
          new InvalidPayloadError(
            'objects-created message',
            `object key is not valid URL encoding: ${encoded}`,
          ),
        );
      }
    }
    return ok({ kind: 'objects-created', keys });
  },
  encodeCreated: (object) => objectsCreatedMessageFormat.encodeCreated(object),
};
