export {
  runConsumer,
  assertLongPollWait,
  type ConsumerOptions,
  type ConsumerStats,
} from './consumer';
export {
  createProtectionLease,
  DEFAULT_PROTECTION_MINUTES,
  type ProtectionLease,
  type ProtectionLeaseOptions,
} from './protection-lease';
