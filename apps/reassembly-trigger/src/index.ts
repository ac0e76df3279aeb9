// Public API of the reassembly-trigger app: the stream handler (the Lambda's, and the stand-in
// stream readers of the CLI's stacks).
export { createTriggerHandler } from './trigger-handler';
