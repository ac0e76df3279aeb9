// Public API of the reassembly-trigger app: the Lambda's stream handler, and the change handler
// the embedded and emulated change feeds call.
export { createChangeHandler } from './trigger-handler';
