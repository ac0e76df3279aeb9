/**
 * A byte count for people: `512 bytes`, `1.5 KiB`, `20 MiB`, `2.0 GiB` (binary units; one decimal
 * below 10). The one place sizes are formatted: the server's pages, the CLI, and the page script,
 * which the web-ui serves THIS function's source to (`/static/sizes.js`). So keep it
 * self-contained: no imports, no helpers, no nested functions.
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
