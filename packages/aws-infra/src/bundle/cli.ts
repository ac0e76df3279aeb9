/**
 * `node --import tsx packages/aws-infra/src/bundle/cli.ts <cli|reassembly-trigger> <outfile>`:
 * the Dockerfiles' build stage runs this, so the images ship exactly what the tests bundle.
 */
import path from 'node:path';
import { runCommand } from '../cli/run';
import { AwsInfraError } from '../errors';
import { BUNDLED_APPS, bundleNodeApp, resolveAppEntry, type BundledApp } from './bundle';

void runCommand(() => {
  const [app, outfile] = process.argv.slice(2);
  if (!BUNDLED_APPS.includes(app as BundledApp) || !outfile) {
    throw new AwsInfraError('USAGE', `usage: bundle/cli.ts <${BUNDLED_APPS.join('|')}> <outfile>`);
  }
  const result = bundleNodeApp(resolveAppEntry(app as BundledApp), path.resolve(outfile));
  console.log(
    `bundled ${path.basename(result.entry)} → ${result.outfile} (${Math.round(result.bytes / 1024)} KiB)`,
  );
});
