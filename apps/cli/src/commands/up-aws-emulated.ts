import { Command } from 'commander';

/**
 * `stereo-spot up-aws-emulated`: the production path on a laptop (see aws-emulated-stack.ts). The
 * stack is loaded when the command runs: the AWS SDK takes a while to load and other commands
 * never need it.
 */
export function upAwsEmulatedCommand(): Command {
  return new Command('up-aws-emulated')
    .description(
      'Run the production path on this machine: moto_server emulates S3, SQS and DynamoDB (with S3 event ' +
        'notifications, redrive to DLQs and the SegmentCompletions stream); the web UI, the workers and the ' +
        "reassembly trigger's Lambda handler run against it. Needs moto_server (pip install 'moto[server]').",
    )
    .option('--port <port>', 'web-ui port (PORT)')
    .option('--prefix <name>', 'prefix of every bucket, queue and table name', 'stereo-spot')
    .action(async (options: { port?: string; prefix: string }) => {
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (stop.signal.aborted) return;
        process.stderr.write(`\n${signal}: stopping (finishing or releasing running work)...\n`);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const { startAwsEmulatedStack } = await import('./aws-emulated-stack');
        const stack = await startAwsEmulatedStack({
          env: { ...process.env, ...(options.port !== undefined ? { PORT: options.port } : {}) },
          signal: stop.signal,
          prefix: options.prefix,
        });
        process.stderr.write(
          `stereo-spot on emulated AWS running on ${stack.url ?? '?'} (moto_server ${stack.endpoint}). Ctrl-C stops it.\n`,
        );
        await stack.done;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
