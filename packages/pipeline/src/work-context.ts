import type { Logger } from '@stereo-spot/logging';

/**
 * What a use case is handed with one piece of work. The consumer loop always gives all three
 * (`Required<WorkContext>`); a caller outside a queue (a test, an operator's command) may give
 * only the logger.
 */
export interface WorkContext {
  /** The worker's logger; the use cases bind it to the job they find in the message. */
  readonly logger: Logger;
  /** Aborted when a shutdown's grace period runs out, or when the lease is lost: stop and throw. */
  readonly signal?: AbortSignal;
  /**
   * Confirms this worker still owns the message (extends its visibility); throws LeaseLostError
   * when it does not. Called right before every write another worker could also make.
   */
  readonly assertLease?: () => Promise<void>;
}
