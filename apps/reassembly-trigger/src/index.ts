// Public API of the reassembly-trigger app: the stream handler (Lambda and embedded stream) and
// the record reader.
export {
  createTriggerHandler,
  decideForRecords,
  type TriggerHandlerDeps,
  type StreamHandler,
} from './trigger-handler';
export { changesFromStreamRecords, type ParsedStreamRecords } from './stream-records';
