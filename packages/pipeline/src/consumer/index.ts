export {
  runConsumer,
  assertLongPollWait,
  type ConsumerOptions,
  type ConsumerStats,
  type MessageWorkContext,
} from './consumer';
