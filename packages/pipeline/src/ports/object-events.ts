import {
  buildObjectsCreatedMessage,
  ok,
  parseObjectsCreatedMessage,
  type CreatedObject,
  type InvalidPayloadError,
  type Result,
} from '@stereo-spot/shared-types';

/** What a message on the chunking or video-worker queue says, in the pipeline's words. */
export type ObjectEvents =
  | { readonly kind: 'objects-created'; readonly keys: readonly string[] }
  /** The platform checking that a notification route works (S3's `s3:TestEvent`): nothing to do. */
  | { readonly kind: 'test-event' };

/**
 * The wire format of the messages a platform queues when objects are created under a
 * notification rule. The workers read them through it; operators write them through it (so a
 * re-sent message reads like the platform's own). Each platform reads its own: S3 event
 * notifications on AWS, the pipeline's objects-created message on the embedded platform.
 */
export interface ObjectEventFormat {
  /** Decoded keys, or the reason the body is not such a message. */
  decode(body: string): Result<ObjectEvents, InvalidPayloadError>;
  /** The body this platform would queue for `object` having been created. */
  encodeCreated(object: Required<CreatedObject>): string;
}

/** The pipeline's own message (shared-types' objects-created message), for platforms that need not imitate S3. */
export const objectsCreatedMessageFormat: ObjectEventFormat = {
  decode(body) {
    const parsed = parseObjectsCreatedMessage(body);
    if (!parsed.ok) return parsed;
    return ok({ kind: 'objects-created', keys: parsed.value.objects_created.map(({ key }) => key) });
  },
  encodeCreated: (object) => buildObjectsCreatedMessage([object]),
};
