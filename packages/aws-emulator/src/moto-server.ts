/**
 * A moto_server (the AWS emulator, moto 5.2) for `stereo-spot up-aws-emulated`, aws-infra's
 * `apply-emulated` and the tests that drive the AWS adapters: started on 127.0.0.1 on a free port,
 * awaited until it answers, stopped with its whole process group. No AWS SDK here: the resources
 * on it are created by @stereo-spot/aws-adapters' `provisionPipelineResources` (or by Terraform).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { AwsEmulatorError } from './errors';

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** moto accepts any credentials; these are what the SDK is given. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** What a child process needs to talk to this server through the SDK's default chain. */
  readonly env: Readonly<Record<string, string>>;
  /** Forgets every resource (moto's `/moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMotoServerOptions {
  /** Default `us-east-1`. */
  readonly region?: string;
  /** How long to wait for the server to answer. Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** Receives the server's output lines (default: kept for the error message only). */
  readonly onOutput?: (line: string) => void;
}

/** How to run moto: MOTO_SERVER (a command), else `moto_server` on PATH, else `python3 -m moto.server`. */
function motoCommands(): { command: string; args: string[] }[] {
  const configured = process.env.MOTO_SERVER?.trim();
  if (configured) {
    const [command, ...args] = configured.split(/\s+/);
    return [{ command: command ?? 'moto_server', args }];
  }
  return [
    { command: 'moto_server', args: [] },
    { command: 'python3', args: ['-m', 'moto.server'] },
  ];
}

export async function startMotoServer(options: StartMotoServerOptions = {}): Promise<MotoServer> {
  const region = options.region ?? 'us-east-1';
  const failures: string[] = [];
  for (const { command, args } of motoCommands()) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const started = await tryStart(
        command,
        [...args, '-H', '127.0.0.1', '-p', String(port)],
        port,
        options,
      );
      if (started.ok) return motoServer(started.child, port, region);
      failures.push(`${[command, ...args].join(' ')}: ${started.reason}`);
      if (started.missing) break;
    }
  }
  throw new AwsEmulatorError(
    'EMULATOR_UNAVAILABLE',
    `could not start moto_server (install it with: pip install 'moto[server]>=5.2,<6'):\n  ${failures.join('\n  ')}`,
  );
}

type StartOutcome = { ok: true; child: ChildProcess } | { ok: false; reason: string; missing: boolean };

async function tryStart(
  command: string,
  args: string[],
  port: number,
  options: StartMotoServerOptions,
): Promise<StartOutcome> {
  // Its own process group, so stopping it also stops whatever a wrapper script started.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 40) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const outcome = await Promise.race([exited, answers(port).then((ok) => (ok ? 'ready' : 'wait'))]);
    if (outcome === 'ready') return { ok: true, child };
    if (typeof outcome === 'object') {
      const missing = outcome.error?.code === 'ENOENT';
      const reason = missing
        ? 'not found'
        : `exited with ${outcome.code ?? outcome.error?.message}: ${output.slice(-5).join(' | ')}`;
      return { ok: false, reason, missing };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopProcess(child);
  return {
    ok: false,
    reason: `no answer on port ${port} within the timeout: ${output.slice(-5).join(' | ')}`,
    missing: false,
  };
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function motoServer(child: ChildProcess, port: number, region: string): MotoServer {
  const endpoint = `http://127.0.0.1:${port}`;
  // The server runs in its own process group (detached), so it would outlive a parent that exits
  // without calling stop(): end it with this process.
  const killOnExit = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const credentials = { accessKeyId: 'moto-test', secretAccessKey: 'moto-test' };
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    region,
    credentials,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok)
        throw new AwsEmulatorError('EMULATOR_RESET_FAILED', `moto reset failed: HTTP ${response.status}`);
    },
    stop() {
      stopped ??= stopProcess(child);
      return stopped;
    },
  };
}

/** SIGTERM to the process group, SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to it soon). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
