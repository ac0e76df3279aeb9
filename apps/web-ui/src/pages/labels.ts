import type { JobStatus } from '@stereo-spot/shared-types';

export const STATUS_LABELS: Readonly<Record<JobStatus, string>> = {
  created: 'Waiting for upload',
  chunking_in_progress: 'Splitting',
  chunking_complete: 'Converting',
  completed: 'Completed',
  failed: 'Failed',
};
