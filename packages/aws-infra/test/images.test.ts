import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLED_APPS, bundleNodeApp, REPO_ROOT, resolveAppEntry } from '../src/bundle/bundle';
import { ECS_APPS, WEB_UI_PORT } from '../src/constants';
import { NODE_APPS_DOCKERFILE } from '../src/cli/docker';
import { WEB_UI_HEALTH_CHECK } from '../src/stack';

/**
 * There is no Docker engine here, so the Dockerfiles are checked for what can be checked without
 * one (stages, user, sources, entry point), and the step that does the real work in their build
 * stage, the esbuild bundle, is run for real.
 */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: match?.[1] ?? args, name: match?.[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** The roles each image's CMD runs (`stereo-spot worker <role...>`). */
const WORKER_ROLES: Record<(typeof ECS_APPS)[number], readonly string[]> = {
  'web-ui': ['web-ui'],
  'media-worker': ['chunking', 'reassembly'],
  'video-worker': ['video-worker'],
};

const stages = parseDockerfile(readFileSync(NODE_APPS_DOCKERFILE, 'utf8'));
const stageNamed = (name: string): Stage | undefined => stages.find((stage) => stage.name === name);
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** The stages an image is built from, first to last: the target and the stages it starts FROM. */
function chainOf(target: string): Stage[] {
  const chain: Stage[] = [];
  for (let stage = stageNamed(target); stage; stage = stageNamed(stage.base)) chain.unshift(stage);
  return chain;
}

describe('docker/node-apps/Dockerfile', () => {
  it('has shared manifest, build and runtime stages and one target per image', () => {
    expect(stages.map((stage) => stage.name)).toEqual([
      'manifests',
      'build',
      'runtime',
      'runtime-ffmpeg',
      'web-ui',
      'media-worker',
      'video-worker',
    ]);
    expect(ECS_APPS.every((app) => stageNamed(app) !== undefined)).toBe(true);
  });

  it('copies only sources that exist and that its .dockerignore lets through', () => {
    const ignore = readFileSync(`${NODE_APPS_DOCKERFILE}.dockerignore`, 'utf8');
    const sources = stages
      .flatMap((stage) => all(stage, 'COPY'))
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
      expect(ignore.split('\n')).not.toContain(source);
    }
  });
});

describe.each(ECS_APPS)('the %s image (--target)', (app) => {
  const chain = chainOf(app);
  const image = chain.flatMap((stage) => stage.instructions);
  const target = chain[chain.length - 1]!;
  const build = stageNamed('build')!;
  const inImage = (keyword: string) => image.filter((i) => i.keyword === keyword);

  it('is Node.js and the bundle only: no package manager run', () => {
    expect(chain[0]!.base).toBe('${NODE_IMAGE}');
    // From ECR Public, not Docker Hub's rate-limited anonymous pulls.
    expect(readFileSync(NODE_APPS_DOCKERFILE, 'utf8')).toMatch(/^ARG NODE_IMAGE=public\.ecr\.aws\/docker\/library\/node:22-bookworm-slim$/m);
    expect(inImage('COPY').map((i) => i.args)).toEqual(['--from=build /out/ ./']);
    expect(
      inImage('RUN')
        .map((i) => i.args)
        .join(' '),
    ).not.toMatch(/\bnpm\b|\bnpx\b/);
  });

  it('runs as the unprivileged node user, set by its own stage after every RUN', () => {
    expect(inImage('USER').map((i) => i.args)).toEqual(['node']);
    expect(all(target, 'USER').map((i) => i.args)).toEqual(['node']);
    const userIndex = image.findIndex((i) => i.keyword === 'USER');
    expect(image.slice(userIndex).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('bundles the CLI in the build stage and runs `stereo-spot worker <role>`', () => {
    expect(all(build, 'RUN').map((i) => i.args)).toContain(
      'node --import tsx packages/aws-infra/src/bundle/cli.ts cli /out/stereo-spot.cjs',
    );
    expect(BUNDLED_APPS).toContain('cli');
    expect(JSON.parse(inImage('ENTRYPOINT')[0]!.args)).toEqual([
      'node',
      '--enable-source-maps',
      '/app/stereo-spot.cjs',
    ]);
    expect(JSON.parse(all(target, 'CMD')[0]!.args)).toEqual(['worker', ...WORKER_ROLES[app]]);
  });

  it(
    app === 'web-ui'
      ? 'exposes the web port and health-checks /healthz like the task definition'
      : 'has no port and no health check (ECS watches the process)',
    () => {
      const healthchecks = inImage('HEALTHCHECK');
      if (app !== 'web-ui') {
        expect(healthchecks).toEqual([]);
        expect(inImage('EXPOSE')).toEqual([]);
        return;
      }
      expect(inImage('EXPOSE').map((i) => i.args)).toEqual([String(WEB_UI_PORT)]);
      const command = /\bCMD\s+(\[.*\])$/.exec(healthchecks[0]!.args)![1]!;
      expect(['CMD', ...(JSON.parse(command) as string[])]).toEqual(WEB_UI_HEALTH_CHECK);
    },
  );

  // media-worker splits and joins segments; web-ui makes the job page's still previews.
  const needsFfmpeg = app === 'media-worker' || app === 'web-ui';
  it(needsFfmpeg ? 'installs ffmpeg' : 'installs no ffmpeg', () => {
    const installs = inImage('RUN')
      .map((i) => i.args)
      .join(' ');
    if (needsFfmpeg) expect(installs).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    else expect(installs).not.toContain('ffmpeg');
  });
});

describe('esbuild bundles (the build stage of every image, and the Lambda zip)', () => {
  it("starts each image's command and reaches the role's configuration check", () => {
    // Prepare
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-start-')), 'stereo-spot.cjs');
    bundleNodeApp(resolveAppEntry('cli'), outfile);

    for (const app of ECS_APPS) {
      // Act: the Dockerfile's CMD with STEREO_SPOT_PLATFORM=aws and nothing else.
      const run = spawnSync(process.execPath, [outfile, 'worker', ...WORKER_ROLES[app]], {
        cwd: path.dirname(outfile),
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', STEREO_SPOT_PLATFORM: 'aws' },
      });

      // Assess: it loaded, knows the role, and names what the task definition must provide.
      expect({ app, status: run.status }).toEqual({ app, status: 1 });
      expect(run.stderr).toMatch(
        /Invalid configuration for (web-ui|chunking|video-worker) \(STEREO_SPOT_PLATFORM=aws\)/,
      );
      expect(run.stderr).toContain('INPUT_BUCKET_NAME: missing');
    }
  });

  it.each(BUNDLED_APPS)('bundles %s into one file', (app) => {
    // Act
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), `bundle-${app}-`)), 'bundle.cjs');
    const result = bundleNodeApp(resolveAppEntry(app), outfile);

    // Assess
    console.log(`${app}: ${path.relative(REPO_ROOT, result.entry)} → ${Math.round(result.bytes / 1024)} KiB`);
    expect(result.bytes).toBeGreaterThan(1000);
    const code = readFileSync(outfile, 'utf8');
    expect(code).not.toContain('require("better-sqlite3")');
    expect(existsSync(`${outfile}.map`)).toBe(true);
  });
});
