/* eslint-disable @typescript-eslint/no-non-null-assertion -- column indices in range by construction */
/** A markdown table from rows of named cells (columns in first-seen order). */
export function markdown(rows: ReadonlyArray<Record<string, string>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}
