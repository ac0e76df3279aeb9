// Whether a bundle built by scripts/build-bundles.mjs may run: it exists and every source its
// record (<name>.inputs.json, paths relative to `packageDir`) lists is unchanged, by SHA-256.
// Plain JavaScript: the bin asks before any TypeScript loader is there.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

function bundleIsCurrent({ bundle, manifest, packageDir }) {
  if (!existsSync(bundle) || !existsSync(manifest)) return false;
  try {
    const files = Object.entries(JSON.parse(readFileSync(manifest, 'utf8')).inputs);
    return (
      files.length > 0 &&
      files.every(([file, hash]) => {
        const source = path.join(packageDir, file);
        return existsSync(source) && createHash('sha256').update(readFileSync(source)).digest('hex') === hash;
      })
    );
  } catch {
    return false;
  }
}

const packageDir = path.join(__dirname, '..');

/** The bundle of the stereo-spot command. */
const CLI_BUNDLE = {
  bundle: path.join(packageDir, 'dist', 'cli.cjs'),
  manifest: path.join(packageDir, 'dist', 'cli.inputs.json'),
  packageDir,
};

module.exports = { bundleIsCurrent, CLI_BUNDLE };
