export {
  runConsumer,
  assertLongPollWait,
  type ConsumerOptions,
  type ConsumerStats,
  type MessageWorkContext,
} from './consumer';
export {
  createProtectionLease,
  DEFAULT_PROTECTION_MINUTES,
  type ProtectionLease,
  type ProtectionLeaseOptions,
} from './protection-lease';
