import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatEnvFile } from '@stereo-spot/config';
import { Command } from 'commander';
import { EMULATED_ENV_FILE } from './ops/context';

/** `KEY=value` lines a POSIX shell sources with `set -a; . file; set +a` (and `ops --env-file` reads). */
export function formatOperatorEnvFile(values: Readonly<Record<string, string>>): string {
  return formatEnvFile(
    [
      'stereo-spot up-aws-emulated: the running emulated deployment; removed when it stops.',
      'Load into a shell: set -a; . <this file>; set +a    (or: npx stereo-spot ops --env-file <this file> ...)',
    ],
    Object.entries(values),
  );
}

/**
 * `stereo-spot up-aws-emulated`: the production path on a laptop (see composition/aws-emulated.ts). The
 * emulation is loaded when the command runs: the AWS SDK takes a while to load and other commands
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
    // Not `--env-file`: Node 20 reads that flag anywhere in its argv and stops when the file does
    // not exist yet.
    .option(
      '--write-env-file <file>',
      'where to write the variables an operator needs (region, endpoint, resource names)',
      EMULATED_ENV_FILE,
    )
    .action(async (options: { port?: string; prefix: string; writeEnvFile: string }) => {
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (stop.signal.aborted) return;
        process.stderr.write(`\n${signal}: stopping (finishing or releasing running work)...\n`);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const { startAwsEmulated } = await import('../composition/aws-emulated');
        const emulated = await startAwsEmulated({
          env: { ...process.env, ...(options.port !== undefined ? { PORT: options.port } : {}) },
          signal: stop.signal,
          prefix: options.prefix,
        });
        const envFile = path.resolve(options.writeEnvFile);
        mkdirSync(path.dirname(envFile), { recursive: true, mode: 0o700 });
        writeFileSync(envFile, formatOperatorEnvFile(emulated.operatorEnv), { mode: 0o600 });
        process.stderr.write(
          [
            `stereo-spot on emulated AWS running on ${emulated.url ?? '?'} (moto_server ${emulated.endpoint}). Ctrl-C stops it.`,
            ...Object.entries(emulated.operatorEnv).map(([name, value]) => `  ${name}=${value}`),
            `These variables are in ${envFile}. In another shell:`,
            `  npx stereo-spot ops --env-file ${envFile} job <job_id>`,
            `  set -a; . ${envFile}; set +a; aws sqs list-queues`,
            '',
          ].join('\n'),
        );
        try {
          await emulated.done;
        } finally {
          rmSync(envFile, { force: true });
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
