/**
 * `stereo-spot ops hf-token rotate`: stores a new Hugging Face token in the secret HF_TOKEN_ARN
 * names and redeploys the SageMaker endpoint, whose inference server reads the token at start-up.
 * The work is done by the stereocrafter-sagemaker project (it owns the deploy); this command
 * runs it, so the token never passes through command-line arguments.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';

const ROTATE_SCRIPT = path.join('docker', 'stereocrafter-sagemaker', 'src', 'bin', 'hf-token-rotate.ts');

interface RotateOptions {
  tokenFile?: string;
  fromEnv?: string;
  redeploy: boolean;
  yes?: boolean;
}

export function hfTokenCommand(): Command {
  const hfToken = new Command('hf-token').description('The Hugging Face token the iw3 inference image uses.');
  hfToken
    .command('rotate')
    .description(
      'Store a new token in Secrets Manager (HF_TOKEN_ARN from packages/aws-infra/.env) and redeploy the ' +
        'SageMaker endpoint so new instances read it. The token comes from --token-file, --from-env or stdin.',
    )
    .option('--token-file <file>', 'read the new token from this file')
    .option('--from-env <variable>', 'read the new token from this environment variable')
    .option('--no-redeploy', 'only store the token; running instances keep the old one')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (options: RotateOptions) => {
      if (!options.yes && !(await confirm(options))) {
        console.log('nothing changed');
        return;
      }
      process.exitCode = await runRotate(options);
    });
  return hfToken;
}

async function confirm(options: RotateOptions): Promise<boolean> {
  if (!process.stdin.isTTY || (!options.tokenFile && !options.fromEnv)) {
    throw new Error('not asking for confirmation here (stdin is not a terminal or carries the token): pass --yes');
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const what = options.redeploy ? 'and redeploy the SageMaker endpoint' : '(no redeploy)';
    const answer = await prompt.question(`Store the new Hugging Face token ${what}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function workspaceRoot(): string {
  return path.resolve(__dirname, '..', '..', '..', '..');
}

function runRotate(options: RotateOptions): Promise<number> {
  const args = [
    ...(options.tokenFile ? ['--token-file', path.resolve(options.tokenFile)] : []),
    ...(options.fromEnv ? ['--from-env', options.fromEnv] : []),
    ...(options.redeploy ? [] : ['--no-redeploy']),
  ];
  const root = workspaceRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, ROTATE_SCRIPT), ...args], {
      cwd: root,
      stdio: 'inherit',
      env: process.env,
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
