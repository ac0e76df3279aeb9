/**
 * The runbook's "job stuck" section as a pure decision: from the facts about one job, which step
 * is stuck and the exact command that fixes it.
 */
import type { QueueDepth, QueueRole } from '@stereo-spot/pipeline';
import type { Job, ReassemblyTriggered } from '@stereo-spot/shared-types';

export interface JobFacts {
  readonly job: Job;
  readonly completions: number;
  readonly lock?: ReassemblyTriggered;
  /** Whether `input/<job_id>/source.mp4` exists. */
  readonly sourceUploaded: boolean;
  /** Segment indices 0..total-1 absent from `segments/<job_id>/` (undefined: no segment key yet). */
  readonly missingSegments?: readonly number[];
  readonly depths: Readonly<Record<QueueRole, { readonly queue: QueueDepth; readonly deadLetter: QueueDepth }>>;
}

/** A stuck step always comes with the exact command that fixes it; a step under way never does. */
export type Diagnosis = {
  /** The step the job is waiting on, or `none` when it is finished. */
  readonly step: 'none' | 'upload' | 'chunking' | 'segment conversion' | 'reassembly trigger' | 'reassembly';
  readonly explanation: string;
} & ({ readonly stuck: false; readonly fix?: undefined } | { readonly stuck: true; readonly fix: string });

const pending = (depth: QueueDepth): number => depth.visible + depth.inFlight;

export function diagnoseJob(facts: JobFacts): Diagnosis {
  const { job, depths } = facts;
  const id = job.job_id;
  const replay = (role: QueueRole) => `stereo-spot ops dlq inspect ${role} && stereo-spot ops dlq replay ${role}`;
  const resend = `stereo-spot ops resend ${id}`;
  switch (job.status) {
    case 'completed':
      return { step: 'none', stuck: false, explanation: 'completed; nothing to do' };
    case 'failed':
      return {
        step: 'none',
        stuck: false,
        explanation: `failed: ${job.error ?? '(no reason recorded)'}; a failed job is final, submit the video again`,
      };
    case 'created':
      if (!facts.sourceUploaded) {
        return { step: 'upload', stuck: false, explanation: 'waiting for the upload of the source video' };
      }
      if (depths.chunking.deadLetter.visible > 0) {
        return {
          step: 'chunking',
          stuck: true,
          explanation: 'the source is uploaded but its chunking message is in the chunking DLQ',
          fix: replay('chunking'),
        };
      }
      if (pending(depths.chunking.queue) > 0) {
        return {
          step: 'chunking',
          stuck: false,
          explanation: 'the source is uploaded; its chunking message is queued for a media-worker',
        };
      }
      return {
        step: 'chunking',
        stuck: true,
        explanation: 'the source is uploaded but no chunking message is queued (the upload notification was lost)',
        fix: resend,
      };
    case 'chunking_in_progress':
      if (facts.missingSegments !== undefined && facts.missingSegments.length === 0) {
        return {
          step: 'chunking',
          stuck: true,
          explanation:
            'every segment is uploaded but the status was never updated (the media-worker died before its final update)',
          fix: `npm run chunking-recovery -- ${id}`,
        };
      }
      if (depths.chunking.deadLetter.visible > 0) {
        return {
          step: 'chunking',
          stuck: true,
          explanation: 'chunking failed repeatedly; its message is in the chunking DLQ',
          fix: replay('chunking'),
        };
      }
      if (pending(depths.chunking.queue) > 0) {
        return {
          step: 'chunking',
          stuck: false,
          explanation:
            "a media-worker is splitting the video (a dead worker's message comes back after the visibility timeout)",
        };
      }
      return {
        step: 'chunking',
        stuck: true,
        explanation: 'segments are missing and no chunking message is queued or dead-lettered (the message was lost)',
        fix: resend,
      };
    case 'chunking_complete': {
      const total = job.total_segments ?? 0;
      if (facts.completions < total) {
        if (depths['video-worker'].deadLetter.visible > 0) {
          return {
            step: 'segment conversion',
            stuck: true,
            explanation: `${facts.completions} of ${total} segments converted; segment messages are in the video-worker DLQ`,
            fix: replay('video-worker'),
          };
        }
        if (pending(depths['video-worker'].queue) > 0) {
          return {
            step: 'segment conversion',
            stuck: false,
            explanation: `${facts.completions} of ${total} segments converted; the rest are queued for video-workers`,
          };
        }
        return {
          step: 'segment conversion',
          stuck: true,
          explanation: `${facts.completions} of ${total} segments converted and no segment message is queued or dead-lettered (the notifications were lost)`,
          fix: resend,
        };
      }
      if (facts.lock === undefined) {
        return {
          step: 'reassembly trigger',
          stuck: true,
          explanation: 'every segment is converted but the reassembly was never triggered',
          fix: `stereo-spot ops reassembly trigger ${id}`,
        };
      }
      if (depths.reassembly.deadLetter.visible > 0) {
        return {
          step: 'reassembly',
          stuck: true,
          explanation: 'reassembly failed repeatedly; its message is in the reassembly DLQ',
          fix: replay('reassembly'),
        };
      }
      if (pending(depths.reassembly.queue) > 0) {
        return { step: 'reassembly', stuck: false, explanation: 'queued for (or being reassembled by) a media-worker' };
      }
      return {
        step: 'reassembly',
        stuck: true,
        explanation:
          facts.lock.reassembly_started_at === undefined
            ? 'the reassembly lock exists but no reassembly message is queued (the send was lost)'
            : 'a reassembly started but no message is left to finish it (its worker died and the message is gone)',
        fix:
          facts.lock.reassembly_started_at === undefined
            ? `stereo-spot ops reassembly trigger ${id}`
            : `stereo-spot ops reassembly trigger --force ${id}`,
      };
    }
  }
}
