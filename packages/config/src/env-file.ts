/**
 * `.env` files: `KEY=value` lines that a POSIX shell sources (`set -a; . file; set +a`) and that
 * Node's own `util.parseEnv` reads back. aws-infra writes `packages/aws-infra/.env` with them,
 * `up-aws-emulated` its operator file; the ops commands, the SageMaker targets, the image targets
 * and the operator scripts read them.
 */
import { parseEnv } from 'node:util';
import { EnvFileError } from './errors';

/** Values a shell and parseEnv both read as written, without quotes. */
const BARE = /^[A-Za-z0-9_./:@%+,=-]*$/;
/** Inside double quotes a shell expands these (and parseEnv `\n`): such a value needs single quotes. */
const SPECIAL_IN_DOUBLE_QUOTES = /["$`\\]/;
const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/;
const COMMENT_OR_BLANK = /^\s*(?:#.*)?$/;

/**
 * One value as it goes after `KEY=`: bare when it can, else in single quotes, else (it holds a
 * single quote) in double quotes. A value with a line break, or with a single quote and one of
 * " $ ` \ has no form both readers agree on, and is refused.
 */
export function envFileValue(name: string, value: string): string {
  if (BARE.test(value)) return value;
  if (/[\r\n]/.test(value)) {
    throw new EnvFileError(`${name}: a value with a line break cannot be written to a .env file`);
  }
  if (!value.includes("'")) return `'${value}'`;
  if (!SPECIAL_IN_DOUBLE_QUOTES.test(value)) return `"${value}"`;
  throw new EnvFileError(
    `${name}: a value with both a single quote and one of " $ \` \\ cannot be written to a .env file`,
  );
}

/** The file's text: `# ` comment lines, then one `KEY=value` line per entry, in order. */
export function formatEnvFile(comments: readonly string[], values: Iterable<readonly [string, string]>): string {
  const lines = comments.map((comment) => `# ${comment}`);
  for (const [name, value] of values) lines.push(`${name}=${envFileValue(name, value)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The variables of a `.env` file (comments, blank lines, `export`, quotes and trailing `# comments`
 * as parseEnv reads them). A line that is not `KEY=value` is refused with its number, rather than
 * being read into the next variable as parseEnv would.
 */
export function parseEnvFile(text: string, fileName = '.env'): Record<string, string> {
  text.split(/\r?\n/).forEach((line, index) => {
    if (!COMMENT_OR_BLANK.test(line) && !ASSIGNMENT.test(line)) {
      throw new EnvFileError(`${fileName} line ${index + 1} is not KEY=value: ${line.trim()}`);
    }
  });
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) values[name] = value;
  return values;
}
