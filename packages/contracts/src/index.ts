// Public API of @stereo-spot/contracts: the shape of the platform's resources (queues, tables,
// storage lifecycle tags) stated once, for the infrastructure and the adapters that both depend
// on it. Plain data, no SDK.
export {
  QUEUE_SETTINGS,
  QUEUE_RETENTION_SECONDS,
  DLQ_RETENTION_SECONDS,
  QUEUE_RECEIVE_WAIT_SECONDS,
  type QueueSettings,
} from './queues';
export {
  SEGMENT_OUTPUT_EXPIRY_TAG,
  SEGMENT_OUTPUT_EXPIRY_TAGGING,
  SEGMENT_OUTPUT_EXPIRY_DAYS,
  SOURCE_SEGMENT_EXPIRY_DAYS,
} from './storage';
export { TABLES, keyAttributes, type TableName, type TableDescription } from './tables';
