/**
 * `stereo-spot ops logs <job_id>`: every log line of one job, in time order. On AWS a CloudWatch
 * Logs Insights query for `job_id=<id>` across the pipeline's log groups (the query is printed);
 * embedded, the same filter over `<STEREO_SPOT_HOME>/logs/*.log`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parseJobId } from '@stereo-spot/shared-types';
import { deploymentLookup, pipelineLogGroups } from './aws-env';
import { EXIT_DONE, EXIT_ERROR, runOps, type OpsIo, type OpsPlatform } from './context';
import { logsDir } from './log-files';

export function insightsQuery(jobId: string): string {
  return [
    'fields @timestamp, @log, @message',
    `| filter @message like /job_id=${jobId}/`,
    '| sort @timestamp asc',
    '| limit 10000',
  ].join('\n');
}

interface LogLine {
  readonly time: string;
  readonly source: string;
  readonly text: string;
}

/** Lines of the embedded log files that carry the job id, oldest first. */
export async function embeddedJobLogs(home: string, jobId: string): Promise<LogLine[]> {
  const dir = logsDir(home);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.log'));
  const lines: LogLine[] = [];
  for (const file of files) {
    for (const raw of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      if (!raw.includes(`job_id=${jobId}`) && !raw.includes(`"job_id":"${jobId}"`)) continue;
      try {
        const record = JSON.parse(raw) as { time?: string; level?: number; msg?: string };
        lines.push({ time: String(record.time ?? ''), source: path.basename(file, '.log'), text: raw });
      } catch {
        lines.push({ time: '', source: path.basename(file, '.log'), text: raw });
      }
    }
  }
  return lines.sort((a, b) => a.time.localeCompare(b.time));
}

async function awsJobLogs(platform: OpsPlatform, io: OpsIo, jobId: string, sinceHours: number): Promise<LogLine[]> {
  const groups = pipelineLogGroups(deploymentLookup(platform.env ?? process.env));
  if (groups.length === 0) {
    throw new Error('no log group known: set NAME_PREFIX or the *_LOG_GROUP variables (packages/aws-infra/.env)');
  }
  const query = insightsQuery(jobId);
  io.out(`CloudWatch Logs Insights over ${groups.join(', ')} (last ${sinceHours} h):\n${query}\n`);
  const { CloudWatchLogsClient, StartQueryCommand, GetQueryResultsCommand } = await import(
    '@aws-sdk/client-cloudwatch-logs'
  );
  const client = new CloudWatchLogsClient({
    region: platform.aws?.region,
    ...(platform.aws?.endpointUrl !== undefined ? { endpoint: platform.aws.endpointUrl } : {}),
  });
  try {
    const end = Math.floor(Date.now() / 1000);
    const started = await client.send(
      new StartQueryCommand({ logGroupNames: groups, queryString: query, startTime: end - sinceHours * 3600, endTime: end }),
    );
    for (;;) {
      const results = await client.send(new GetQueryResultsCommand({ queryId: started.queryId }));
      if (results.status === 'Complete' || results.status === 'Failed' || results.status === 'Cancelled') {
        if (results.status !== 'Complete') throw new Error(`the query ended ${results.status}`);
        return (results.results ?? []).map((fields) => {
          const value = (name: string) => fields.find((field) => field.field === name)?.value ?? '';
          return { time: value('@timestamp'), source: value('@log'), text: value('@message').trimEnd() };
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    client.destroy();
  }
}

export async function showJobLogs(
  platform: OpsPlatform,
  io: OpsIo,
  id: string,
  sinceHours = 72,
): Promise<number> {
  const parsed = parseJobId(id);
  if (!parsed.ok) {
    io.out(`not a job id: ${id}`);
    return EXIT_ERROR;
  }
  const lines =
    platform.kind === 'local' && platform.home !== undefined
      ? await embeddedJobLogs(platform.home, parsed.value)
      : await awsJobLogs(platform, io, parsed.value, sinceHours);
  if (platform.kind === 'local') io.out(`${lines.length} line(s) for job_id=${parsed.value} in ${logsDir(platform.home ?? '.')}`);
  for (const line of lines) io.out(`${line.time} ${line.source} ${line.text}`);
  return EXIT_DONE;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description("Every log line of one job, in time order (CloudWatch Logs Insights on AWS, the log files embedded).")
    .argument('<job_id>')
    .addOption(new Option('--since-hours <n>', 'AWS: how far back to search').default(72).argParser(Number))
    .action((jobId: string, options: { sinceHours: number }) =>
      runOps(true, (platform, io) => showJobLogs(platform, io, jobId, options.sinceHours)),
    );
}
