/**
 * S3 event notification bodies, as S3 (and moto_server) put them on SQS: the AWS platform's
 * ObjectEventFormat. Keys in records are URL-encoded the way S3 does it (form encoding: space is
 * `+`); the pipeline only ever sees decoded keys.
 */
import type { ObjectEventFormat, ObjectEvents } from '@stereo-spot/pipeline';
import { err, InvalidPayloadError, ok, parseJsonWith, type Result } from '@stereo-spot/shared-types';
import { z } from 'zod';

const S3RecordSchema = z.object({
  eventVersion: z.string().optional(),
  eventSource: z.literal('aws:s3'),
  awsRegion: z.string().optional(),
  eventTime: z.string().optional(),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const S3RecordsBodySchema = z.object({ Records: z.array(S3RecordSchema).min(1) });

/** What S3 sends once when a notification configuration is created. */
const S3TestEventSchema = z.object({ Event: z.literal('s3:TestEvent'), Service: z.string().optional() });

export interface S3ObjectEvent {
  readonly bucket: string;
  /** Decoded key (`+` → space, `%xx` → character). */
  readonly key: string;
  readonly size?: number;
  readonly eventName: string;
  readonly eventTime?: string;
}

export type S3NotificationBody =
  { readonly kind: 'test-event' } | { readonly kind: 'records'; readonly records: readonly S3ObjectEvent[] };

/** Decodes an S3-event key: form encoding, so `+` is a space and must be replaced first. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Encodes a key like S3 does in event notifications (inverse of decodeS3EventKey). */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function parseS3NotificationBody(body: string): Result<S3NotificationBody, InvalidPayloadError> {
  const kind = 'S3 event notification';
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    return err(new InvalidPayloadError(kind, `not JSON (${(cause as Error).message})`));
  }
  if (S3TestEventSchema.safeParse(value).success) return ok({ kind: 'test-event' });
  const parsed = parseJsonWith(S3RecordsBodySchema, body, kind);
  if (!parsed.ok) return parsed;
  const records: S3ObjectEvent[] = [];
  for (const record of parsed.value.Records) {
    let key: string;
    try {
      key = decodeS3EventKey(record.s3.object.key);
    } catch {
      return err(
        new InvalidPayloadError(kind, `object key is not valid URL encoding: ${record.s3.object.key}`),
      );
    }
    records.push({
      bucket: record.s3.bucket.name,
      key,
      eventName: record.eventName,
      ...(record.s3.object.size !== undefined ? { size: record.s3.object.size } : {}),
      ...(record.eventTime !== undefined ? { eventTime: record.eventTime } : {}),
    });
  }
  return ok({ kind: 'records', records });
}

/** Builds the body S3 would send for one created object. */
export function buildS3NotificationBody(input: {
  bucket: string;
  key: string;
  size: number;
  eventTime?: Date;
  region?: string;
}): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: input.region ?? 'local',
        eventTime: (input.eventTime ?? new Date()).toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: input.bucket, arn: `arn:aws:s3:::${input.bucket}` },
          object: { key: encodeS3EventKey(input.key), size: input.size },
        },
      },
    ],
  });
}

export interface S3NotificationFormatOptions {
  /** The bucket a re-sent notification names (the input bucket); asked only when encoding. */
  readonly bucket: () => string;
  readonly region?: string;
}

/** The pipeline's object events over S3 event notifications (what S3 queues; what `ops resend` re-sends). */
export class S3NotificationFormat implements ObjectEventFormat {
  constructor(private readonly options: S3NotificationFormatOptions) {}

  decode(body: string): Result<ObjectEvents, InvalidPayloadError> {
    const parsed = parseS3NotificationBody(body);
    if (!parsed.ok) return parsed;
    if (parsed.value.kind === 'test-event') return ok({ kind: 'test-event' });
    return ok({ kind: 'objects-created', keys: parsed.value.records.map((record) => record.key) });
  }

  encodeCreated(object: { readonly key: string; readonly size: number }): string {
    return buildS3NotificationBody({
      bucket: this.options.bucket(),
      key: object.key,
      size: object.size,
      ...(this.options.region !== undefined ? { region: this.options.region } : {}),
    });
  }
}
