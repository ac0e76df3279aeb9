/**
 * Splits ffmpeg's stderr into lines (ffmpeg ends progress lines with `\r`, messages with `\n`)
 * and keeps the last few of them for error messages, bounded in lines and characters.
 */
export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly onLine?: (line: string) => void,
    private readonly maxLines = 30,
    private readonly maxChars = 4000,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxChars) this.partial = this.partial.slice(-this.maxChars);
    for (const part of parts) this.addLine(part);
  }

  /** Flushes a last unterminated line; call when the stream ended. */
  end(): void {
    if (this.partial) this.addLine(this.partial);
    this.partial = '';
  }

  text(): string {
    const joined = [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
    return joined.length > this.maxChars ? joined.slice(-this.maxChars) : joined;
  }

  private addLine(raw: string): void {
    const line = raw.trimEnd();
    if (!line) return;
    this.onLine?.(line);
    // Progress lines (frame= ... speed=) crowd out the real error; keep only the newest one.
    const previous = this.lines.at(-1);
    if (isProgressLine(line) && previous !== undefined && isProgressLine(previous)) {
      this.lines[this.lines.length - 1] = line;
    } else {
      this.lines.push(line);
    }
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}

function isProgressLine(line: string): boolean {
  return /^frame=\s*\d+/.test(line) || /^size=\s*\S+ time=/.test(line);
}
