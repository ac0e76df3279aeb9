/**
 * `Content-Disposition: attachment` with a file name, per RFC 6266: a quoted ASCII `filename`
 * for old clients plus `filename*=UTF-8''...` (RFC 8187 encoding) when the name is not plain
 * ASCII, so browsers save "Café 3D.mp4" under its real name.
 */
export function attachmentContentDisposition(fileName: string): string {
  const fallback = asciiFallback(fileName);
  const header = `attachment; filename="${fallback}"`;
  return fallback === fileName ? header : `${header}; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

/** Printable ASCII without the characters that end or escape a quoted string. */
function asciiFallback(fileName: string): string {
  const replaced = [...fileName.normalize('NFKD')]
    .filter((c) => !/\p{M}/u.test(c))
    .map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' ? c : '_'))
    .join('');
  return replaced.trim() === '' ? 'download' : replaced;
}

/** RFC 8187 `value-chars`: attr-char stays, everything else is percent-encoded UTF-8. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
