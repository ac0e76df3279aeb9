/**
 * `stereo-spot ops resend <job_id>`: sends again the upload notifications a stuck job is waiting
 * for, when they were lost (no message queued, none in the DLQ): the source's to the chunking
 * queue for a job `created` or `chunking_in_progress`, or those of the segments without a
 * completion to the video-worker queue for a job `chunking_complete`. The consumers are
 * idempotent, so a notification that was not lost after all is harmless.
 */
import { Command } from 'commander';
import { inputKey, parseJobId, parseSegmentKey, segmentsPrefix } from '@stereo-spot/shared-types';
import { EXIT_DONE, EXIT_ERROR, EXIT_REFUSED, runOps, type OpsIo, type OpsPlatform } from './context';

export async function resendNotifications(platform: OpsPlatform, io: OpsIo, id: string): Promise<number> {
  const parsed = parseJobId(id);
  if (!parsed.ok) {
    io.out(`not a job id: ${id}`);
    return EXIT_ERROR;
  }
  const jobId = parsed.value;
  const refuse = (reason: string) => {
    io.out(`refused: ${reason}; nothing changed`);
    return EXIT_REFUSED;
  };
  const job = await platform.jobs.get(jobId);
  if (job === undefined) return refuse(`job ${jobId} not found`);

  if (job.status === 'created' || job.status === 'chunking_in_progress') {
    const source = await platform.inputStorage.head(inputKey(jobId));
    if (source === undefined) return refuse(`the source ${inputKey(jobId)} is not uploaded`);
    const queue = platform.queues.chunking.queue;
    if (!(await io.confirm(`Send the upload notification of ${source.key} to ${queue.name} again?`))) {
      return refuse('not confirmed');
    }
    await queue.send(platform.objectEvents.encodeCreated({ key: source.key, size: source.size }));
    io.out(`sent the notification of ${source.key} to ${queue.name}; chunking starts (or resumes) when a media-worker receives it`);
    return EXIT_DONE;
  }

  if (job.status === 'chunking_complete') {
    const converted = new Set((await platform.segmentCompletions.list(jobId)).map((c) => c.segment_index));
    const pending = (await platform.inputStorage.list(segmentsPrefix(jobId))).filter((object) => {
      const segment = parseSegmentKey(object.key);
      return segment.ok && !converted.has(segment.value.segmentIndex);
    });
    if (pending.length === 0) return refuse('every uploaded segment already has a completion');
    const queue = platform.queues['video-worker'].queue;
    if (!(await io.confirm(`Send the notifications of ${pending.length} unconverted segment(s) to ${queue.name} again?`))) {
      return refuse('not confirmed');
    }
    for (const object of pending) {
      await queue.send(platform.objectEvents.encodeCreated({ key: object.key, size: object.size }));
    }
    io.out(
      `sent ${pending.length} segment notification(s) to ${queue.name}; the reassembly is triggered when the last completion lands`,
    );
    return EXIT_DONE;
  }
  return refuse(`status is ${job.status}: there is no notification to send`);
}

export function resendCommand(): Command {
  return new Command('resend')
    .description(
      "Send a stuck job's lost upload notifications again (the source's for chunking, the unconverted segments' for the video-workers).",
    )
    .argument('<job_id>')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((jobId: string, options: { yes?: boolean }) =>
      runOps(options.yes, (platform, io) => resendNotifications(platform, io, jobId)),
    );
}
