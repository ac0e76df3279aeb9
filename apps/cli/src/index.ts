// Public API of the cli app (for tests and the e2e harness): the command tree.
export { buildProgram } from './program';
