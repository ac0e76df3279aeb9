/**
 * The image cannot be built here (no Docker daemon, no GPU), so its recipe is read: the pinned
 * nunif commit, the weights downloaded at build time, and the offline conversion as the build's
 * last step must be there, and agree with what the server checks at start-up.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HERE = path.resolve(__dirname, '..');
const ROOT = path.resolve(HERE, '..', '..');
const dockerfile = readFileSync(path.join(HERE, 'Dockerfile'), 'utf8');
const buildspec = readFileSync(path.join(HERE, 'buildspec.yml'), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly text: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped. */
function instructions(source: string): Instruction[] {
  const result: Instruction[] = [];
  let current = '';
  for (const line of source.split('\n')) {
    if (/^\s*#/.test(line) || (current === '' && line.trim() === '')) continue;
    current += `${line.replace(/\\$/, '').trim()} `;
    if (!line.endsWith('\\')) {
      const text = current.trim();
      result.push({ keyword: text.split(/\s/)[0]!.toUpperCase(), text });
      current = '';
    }
  }
  return result;
}
const steps = instructions(dockerfile);
const runtimeStage = steps.slice(steps.map((step) => step.keyword).lastIndexOf('FROM'));
const arg = (name: string): string | undefined =>
  steps
    .find((step) => step.keyword === 'ARG' && step.text.startsWith(`ARG ${name}=`))
    ?.text.slice(`ARG ${name}=`.length)
    .replace(/^"|"$/g, '');

/** The pinned commit the server is written against (apps/inference-server, read as text). */
const serverCommit = /export const NUNIF_COMMIT = '([0-9a-f]{40})'/.exec(
  readFileSync(path.join(ROOT, 'apps/inference-server/src/engines/iw3-pinned.ts'), 'utf8'),
)?.[1];

/** The pinned iw3's --depth-model and --method choices, read from its vendored source. */
const pinnedChoices = (() => {
  const spec = JSON.parse(
    execFileSync(
      'python3',
      [
        path.join(ROOT, 'apps/inference-server/test/support/iw3_parser_spec.py'),
        path.join(ROOT, 'apps/inference-server/test/fixtures/iw3-pinned/utils.py'),
      ],
      { encoding: 'utf8' },
    ),
  ) as { flags: Record<string, { choices: string[]; default: string }> };
  return { depthModels: spec.flags['--depth-model']!, methods: spec.flags['--method']! };
})();

describe('the pinned nunif', () => {
  it('is one full commit hash, the one the server and docs/inference.md name', () => {
    const commit = arg('NUNIF_COMMIT');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(commit).toBe(serverCommit);
    expect(readFileSync(path.join(ROOT, 'docs/inference.md'), 'utf8')).toContain(commit);
  });

  it('is fetched by that hash and checked out, nothing else', () => {
    const fetch = runtimeStage.find((step) => step.keyword === 'RUN' && step.text.includes('nagadomi/nunif'));
    expect(fetch?.text).toContain('fetch -q --depth 1 https://github.com/nagadomi/nunif.git "$NUNIF_COMMIT"');
    expect(fetch?.text).toContain('test "$(git -C "$NUNIF_DIR" rev-parse HEAD)" = "$NUNIF_COMMIT"');
  });

  it("gets torch from nunif's own pin file at that commit", () => {
    expect(arg('NUNIF_TORCH_REQUIREMENTS')).toBe('requirements-torch.txt');
    expect(dockerfile).toContain('pip install --no-cache-dir -r "$NUNIF_DIR/$NUNIF_TORCH_REQUIREMENTS"');
    expect(dockerfile).not.toMatch(/pip install[^\n]*\btorch==/);
  });
});

describe('the weights', () => {
  it("list depth models and methods from the pinned iw3's choices, iw3's defaults among them", () => {
    const depthModels = arg('IW3_DEPTH_MODELS')?.split(' ') ?? [];
    const methods = arg('IW3_METHODS')?.split(' ') ?? [];
    expect(depthModels).toContain(pinnedChoices.depthModels.default);
    expect(methods).toContain(pinnedChoices.methods.default);
    expect(depthModels.filter((model) => !pinnedChoices.depthModels.choices.includes(model))).toEqual([]);
    expect(methods.filter((method) => !pinnedChoices.methods.choices.includes(method))).toEqual([]);
  });

  it('are downloaded at build time for exactly that list, with an optional GitHub token', () => {
    const download = runtimeStage.find((step) => step.keyword === 'RUN' && step.text.includes('iw3_weights.py'));
    expect(download?.text).toMatch(/^RUN --mount=type=secret,id=github_token,required=false /);
    expect(download?.text).toContain(
      'python3 /opt/stereo-spot/iw3_weights.py --commit "$NUNIF_COMMIT" --depth-models "$IW3_DEPTH_MODELS" --methods "$IW3_METHODS"',
    );
  });

  it('include the stereo models and TransNetV2, and are recorded for the server', () => {
    const script = readFileSync(path.join(HERE, 'iw3_weights.py'), 'utf8');
    expect(script).toContain('create_depth_model(name)');
    expect(script).toContain('create_stereo_model(method, divergence=2.0, device_id=-1)');
    expect(script).toContain('TransNetV2().load()');
    expect(script).toContain('MANIFEST_FILE = "stereo-spot-weights.json"');
    // Every method the image lists is one the script can prepare.
    const supported = /SUPPORTED_METHODS = \{([^}]*)\}/.exec(script)![1]!.match(/"([a-z0-9_]+)"/g)!.map((s) => s.slice(1, -1));
    expect((arg('IW3_METHODS') ?? '').split(' ').filter((method) => !supported.includes(method))).toEqual([]);
    execFileSync('python3', ['-m', 'py_compile', path.join(HERE, 'iw3_weights.py')], {
      env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(os.tmpdir(), 'iw3-weights-pycache') },
    });
  });
});

describe('the offline-conversion proof', () => {
  it('is the last build step: a real conversion with networking disabled, on the CPU', () => {
    const runs = runtimeStage.filter((step) => step.keyword === 'RUN');
    const last = runs[runs.length - 1]!;
    expect(last.text).toMatch(/^RUN --network=none IW3_REQUIRE_GPU=0 node \/opt\/inference-server\/offline-check\.cjs /);
    // Nothing after it may add weights, code or models the proof did not cover.
    const after = runtimeStage.slice(runtimeStage.indexOf(last) + 1).map((step) => step.keyword);
    expect(after.filter((keyword) => !['EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'].includes(keyword))).toEqual([]);
  });

  it('runs with the server bundle and settings the image ships', () => {
    const copyBundle = runtimeStage.findIndex((step) => step.text === 'COPY --from=server /out/inference-server /opt/inference-server');
    const env = runtimeStage.findIndex((step) => step.keyword === 'ENV' && step.text.includes('IW3_REQUIRE_GPU=1'));
    const proof = runtimeStage.findIndex((step) => step.text.includes('offline-check.cjs'));
    expect(copyBundle).toBeGreaterThan(-1);
    expect(env).toBeGreaterThan(copyBundle);
    expect(proof).toBeGreaterThan(env);
    expect(runtimeStage[env]!.text).toContain('INFERENCE_ENGINE=iw3');
  });
});

describe('the build', () => {
  it('pulls every base image from ECR Public', () => {
    const froms = steps.filter((step) => step.keyword === 'FROM').map((step) => step.text.split(/\s+/)[1]!);
    const resolved = froms.map((image) => {
      const name = /^\$\{(\w+)\}$/.exec(image)?.[1];
      return name ? (arg(name) ?? image) : image;
    });
    expect(resolved.filter((image) => !image.startsWith('public.ecr.aws/') && image !== 'server')).toEqual([]);
  });

  it('hands the optional GitHub token to the build as a secret, never as a build argument', () => {
    expect(buildspec).toContain('GITHUB_TOKEN_SECRET_ARN');
    expect(buildspec).toContain('--secret id=github_token,env=GITHUB_TOKEN');
    expect(buildspec).not.toMatch(/--build-arg\s+GITHUB_TOKEN/);
    expect(dockerfile).not.toMatch(/^(ARG|ENV)\s+GITHUB_TOKEN/m);
  });

  it('builds this Dockerfile and pushes only after a successful build', () => {
    expect(buildspec).toContain('--file docker/stereocrafter-sagemaker/Dockerfile');
    expect(buildspec).toContain('test "$CODEBUILD_BUILD_SUCCEEDING" = 1');
  });

  it('has a one-command GPU verification that parses', () => {
    execFileSync('bash', ['-n', path.join(HERE, 'verify-gpu.sh')]);
    expect(readFileSync(path.join(HERE, 'verify-gpu.sh'), 'utf8')).toContain('--gpus all --network none');
  });
});
