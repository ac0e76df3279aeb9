/**
 * The server's picture of iw3 against iw3's own source at the pinned commit: `iw3/utils.py`,
 * vendored byte for byte (fixtures/iw3-pinned) and read with Python's `ast` (never run). The flag
 * mapping, the validated settings, the stand-in iw3 the other tests use, the download names and
 * the note in docs/inference.md all have to agree with it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ANAGLYPH_METHODS, OUTPUT_MODE_INFO, OUTPUT_MODES, type OutputMode } from '@stereo-spot/shared-types';
import { buildIw3Args, iw3OutputFileName, iw3Suffix, parseIw3Tuning } from '../src/engines/iw3-args';
import {
  IW3_ANAGLYPH_METHODS,
  IW3_DEFAULTS,
  IW3_DEPTH_MODELS,
  IW3_METHODS,
  IW3_PRESETS,
  IW3_SUFFIXES,
  NUNIF_COMMIT,
} from '../src/engines/iw3-pinned';

interface FlagSpec {
  line: number;
  aliases: string[];
  default: unknown;
  choices: unknown[] | null;
  action: string | null;
  type: string | null;
  const: unknown;
  nargs: unknown;
}
interface ParserSpec {
  flags: Record<string, FlagSpec>;
  suffixes: Record<string, string>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PINNED_UTILS = path.join(__dirname, 'fixtures', 'iw3-pinned', 'utils.py');
const STANDIN_UTILS = path.join(__dirname, 'fixtures', 'fake-nunif', 'iw3', 'utils.py');
/** `git rev-parse d23721f1b5f0a4c92c3ee1be013180bf298730c5:iw3/utils.py` in nagadomi/nunif. */
const PINNED_UTILS_BLOB = 'e056bb2a01c77a3ff2d93fb56edaa7539a594528';

const readSpec = (file: string): ParserSpec =>
  JSON.parse(
    execFileSync('python3', [path.join(__dirname, 'support', 'iw3_parser_spec.py'), file], { encoding: 'utf8' }),
  ) as ParserSpec;
const real = readSpec(PINNED_UTILS);
const standin = readSpec(STANDIN_UTILS);

/** Every argument list the server can produce: every mode and anaglyph method, every variable set. */
function everyServerArgs(): string[][] {
  const tuning = parseIw3Tuning({
    IW3_LOW_VRAM: '1',
    IW3_MAX_FPS: '60',
    IW3_PRESET: 'p4',
    IW3_VIDEO_CODEC: 'h264_nvenc',
    IW3_DISABLE_AMP: '1',
    IW3_DEPTH_MODEL: 'Any_V2_S',
    IW3_METHOD: 'row_flow_v3',
  });
  return OUTPUT_MODES.flatMap((mode) =>
    ANAGLYPH_METHODS.map((anaglyph_method) =>
      buildIw3Args({
        inputPath: '/in/segment.mp4',
        outputDir: '/out',
        sceneCacheDir: '/scene-cache',
        mode,
        stereo: { divergence: 2, convergence: 0.5, anaglyph_method },
        tuning,
      }).slice(2),
    ),
  );
}
const SERVER_FLAGS = [...new Set(everyServerArgs().flat().filter((arg) => arg.startsWith('--')))].sort();

describe('the vendored iw3 source', () => {
  it(`is iw3/utils.py of nunif ${NUNIF_COMMIT.slice(0, 8)} byte for byte`, () => {
    const bytes = readFileSync(PINNED_UTILS);
    const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    expect(blob).toBe(PINNED_UTILS_BLOB);
    expect(readFileSync(path.join(__dirname, 'fixtures', 'iw3-pinned', 'README.md'), 'utf8')).toContain(NUNIF_COMMIT);
  });
});

describe("the server's flags", () => {
  it('are all defined by the pinned iw3', () => {
    expect(SERVER_FLAGS.filter((flag) => !real.flags[flag])).toEqual([]);
    // The list the note documents (a flag added to the mapping must be added to the note too).
    expect(SERVER_FLAGS).toEqual([
      '--anaglyph',
      '--convergence',
      '--cross-eyed',
      '--depth-model',
      '--disable-amp',
      '--disable-scene-cache',
      '--divergence',
      '--ema-normalize',
      '--half-sbs',
      '--half-tb',
      '--input',
      '--low-vram',
      '--max-fps',
      '--method',
      '--output',
      '--pix-fmt',
      '--preset',
      '--scene-cache-dir',
      '--scene-detect',
      '--tb',
      '--video-codec',
      '--yes',
    ]);
  });

  it("pass only values among iw3's choices, and no value to a switch", () => {
    const problems: string[] = [];
    for (const args of everyServerArgs()) {
      args.forEach((arg, index) => {
        const spec = real.flags[arg];
        if (!spec) return;
        const value = args[index + 1];
        if (spec.action === 'store_true' && value !== undefined && !value.startsWith('--')) {
          problems.push(`${arg} is a switch but gets ${value}`);
        }
        if (Array.isArray(spec.choices) && !spec.choices.includes(value)) problems.push(`${arg} ${value}`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('are each listed in docs/inference.md with the line of iw3/utils.py that defines them', () => {
    const note = readFileSync(path.join(ROOT, 'docs', 'inference.md'), 'utf8');
    const listed = new Map([...note.matchAll(/^\| `(--[a-z-]+)`[^|]*\| `iw3\/utils\.py:(\d+)` \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect(SERVER_FLAGS.map((flag) => [flag, listed.get(flag)])).toEqual(SERVER_FLAGS.map((flag) => [flag, real.flags[flag]!.line]));
    expect(note).toContain(NUNIF_COMMIT);
  });
});

describe("the settings validated at start-up are iw3's", () => {
  it.each([
    ['--depth-model', IW3_DEPTH_MODELS],
    ['--method', IW3_METHODS],
    ['--preset', IW3_PRESETS],
    ['--anaglyph', IW3_ANAGLYPH_METHODS],
  ] as const)("%s choices", (flag, choices) => {
    expect([...choices]).toEqual(real.flags[flag]!.choices);
  });

  it("keep iw3's defaults", () => {
    expect(IW3_DEFAULTS).toEqual({
      method: real.flags['--method']!.default,
      maxFps: real.flags['--max-fps']!.default,
      preset: real.flags['--preset']!.default,
      depthModel: real.flags['--depth-model']!.default,
    });
  });

  it("offer only anaglyph methods iw3 has", () => {
    expect(ANAGLYPH_METHODS.filter((method) => !real.flags['--anaglyph']!.choices!.includes(method))).toEqual([]);
  });
});

describe('the stand-in iw3 the tests run', () => {
  it('defines every flag the server passes', () => {
    expect(SERVER_FLAGS.filter((flag) => !standin.flags[flag])).toEqual([]);
  });

  it("defines each of its flags as the pinned iw3 does (names, defaults, choices, kinds)", () => {
    const differences = Object.entries(standin.flags)
      .filter(([flag, spec]) => JSON.stringify({ ...spec, line: 0 }) !== JSON.stringify({ ...real.flags[flag], line: 0 }))
      .map(([flag]) => flag);
    expect(differences).toEqual([]);
  });

  it("names its output with iw3's suffix table", () => {
    expect(Object.entries(standin.suffixes)).toEqual(Object.entries(real.suffixes));
  });
});

describe('file names players recognise', () => {
  // Full layouts carry `F` (`_LRF`, `_TBF`); the half layouts are iw3's plain `_LR` and `_TB`.
  const IW3_SUFFIX_OF: Record<Exclude<OutputMode, 'anaglyph'>, keyof typeof IW3_SUFFIXES> = {
    sbs: 'FULL_SBS_SUFFIX',
    'half-sbs': 'HALF_SBS_SUFFIX',
    tb: 'FULL_TB_SUFFIX',
    'half-tb': 'HALF_TB_SUFFIX',
    'cross-eyed': 'CROSS_EYED_SUFFIX',
  };

  it("copy iw3's suffix table", () => {
    expect(Object.entries(IW3_SUFFIXES).filter(([name, suffix]) => real.suffixes[name] !== suffix)).toEqual([]);
  });

  it.each(Object.entries(IW3_SUFFIX_OF))('%s: iw3 output and download name both end in iw3\'s %s', (mode, name) => {
    const suffix = real.suffixes[name]!;
    expect(iw3Suffix(mode as OutputMode, 'dubois')).toBe(suffix);
    expect(iw3OutputFileName('/in/clip.mp4', mode as OutputMode, 'dubois')).toBe(`clip${suffix}.mp4`);
    expect(OUTPUT_MODE_INFO[mode as OutputMode].fileSuffix).toBe(suffix);
  });

  it("anaglyph: iw3's _redcyan, with the method in iw3's output name", () => {
    expect(OUTPUT_MODE_INFO.anaglyph.fileSuffix).toBe(real.suffixes.ANAGLYPH_SUFFIX);
    expect(iw3Suffix('anaglyph', 'gray')).toBe(`${real.suffixes.ANAGLYPH_SUFFIX}_gray`);
  });
});
