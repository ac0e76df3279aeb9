/**
 * Where sign-in may send the browser afterwards: only a path on this site. Browsers drop tabs and
 * newlines from URLs and read `\` as `/`, so `/\t/evil.example` or `/\evil.example` would become
 * `//evil.example` (another site); such values, and anything that resolves to another origin,
 * are refused.
 */
const BASE = 'http://same-origin.invalid';
/** Control characters (C0, DEL, C1), space, and the backslash: what URL parsers strip or read as `/`. */
function hasUnsafeCharacter(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || character === '\\') return true;
  }
  return false;
}

export function sameOriginPath(next: string | null | undefined): string | undefined {
  if (next === null || next === undefined || !next.startsWith('/') || next.startsWith('//')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return undefined;
  }
  if (hasUnsafeCharacter(next) || hasUnsafeCharacter(decoded)) return undefined;
  try {
    return new URL(next, BASE).origin === BASE ? next : undefined;
  } catch {
    return undefined;
  }
}
