// `npm run eval`: the built-in engine's depth and views on real photographs (measured depth from
// Middlebury stereo pairs, and photographs with an obvious subject) and on synthetic scenes with
// known depth, each next to the vertical-ramp baseline (and the identity for the views). Prints
// one table; exit code 1 when the engine misses any target.
import { fixed, type Finding } from './findings';
import { evaluateRealImages } from './real/evaluate';
import { evaluateSyntheticScenes } from './synthetic';
import { markdown } from './table';

function main(): void {
  const started = performance.now();
  const findings = [...evaluateRealImages(), ...evaluateSyntheticScenes()];
  console.log(markdown(findings.map(row)));
  const misses = findings.filter((f) => !f.pass);
  console.log(
    `\n${misses.length === 0 ? 'PASS' : 'FAIL'}: ${findings.length - misses.length} of ${findings.length} rows reach their target` +
      ` (${fixed((performance.now() - started) / 1000, 1)} s)`,
  );
  for (const miss of misses) console.log(`  missed: ${miss.case}, ${miss.measure}: ${miss.engine} (target ${miss.target})`);
  if (misses.length > 0) process.exitCode = 1;
}

function row(f: Finding): Record<string, string> {
  return {
    suite: f.suite,
    case: f.case,
    measure: f.measure,
    engine: f.engine,
    'vertical ramp': f.ramp,
    identity: f.identity,
    target: f.target,
    '': f.pass ? 'ok' : 'MISS',
  };
}

main();
