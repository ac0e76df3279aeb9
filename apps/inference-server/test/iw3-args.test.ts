import { OUTPUT_MODES, type OutputMode } from '@stereo-spot/shared-types';
import {
  buildIw3Args,
  iw3OutputFileName,
  modeFlags,
  parseIw3Tuning,
  tuningFlags,
  type Iw3Tuning,
} from '../src/engines/iw3-args';
import { InferenceConfigError } from '../src/errors';

const NO_TUNING: Iw3Tuning = { lowVram: false, disableAmp: false, maxFps: 30 };
const STEREO = { divergence: 2.5, convergence: 0.25, anaglyph_method: 'dubois' } as const;

describe('iw3 layout flags per mode', () => {
  const expected: Record<OutputMode, string[]> = {
    anaglyph: ['--anaglyph', 'dubois', '--pix-fmt', 'yuv444p'],
    sbs: [],
    'half-sbs': ['--half-sbs'],
    tb: ['--tb'],
    'half-tb': ['--half-tb'],
    'cross-eyed': ['--cross-eyed'],
  };

  it.each(OUTPUT_MODES)('maps %s', (mode) => {
    // Act
    const flags = modeFlags(mode, 'dubois');
    // Assess
    expect(flags).toEqual(expected[mode]);
  });

  it('passes the anaglyph method through', () => {
    expect(modeFlags('anaglyph', 'half-color')).toEqual(['--anaglyph', 'half-color', '--pix-fmt', 'yuv444p']);
  });
});

describe('iw3 command line', () => {
  it('runs iw3.cli on the input into the output folder with the stereo and video flags', () => {
    // Act
    const args = buildIw3Args({
      inputPath: '/work/segment.mp4',
      outputDir: '/work/out',
      sceneCacheDir: '/work/scene-cache',
      mode: 'half-tb',
      stereo: STEREO,
      tuning: NO_TUNING,
    });
    // Assess
    expect(args).toEqual([
      '-m',
      'iw3.cli',
      '--input',
      '/work/segment.mp4',
      '--output',
      '/work/out',
      '--yes',
      '--half-tb',
      '--divergence',
      '2.5',
      '--convergence',
      '0.25',
      '--scene-detect',
      '--disable-scene-cache',
      '--scene-cache-dir',
      '/work/scene-cache',
      '--ema-normalize',
      '--max-fps',
      '30',
    ]);
  });

  it('appends the tuning flags after the request flags', () => {
    const args = buildIw3Args({
      inputPath: '/in.mp4',
      outputDir: '/out',
      sceneCacheDir: '/scene-cache',
      mode: 'sbs',
      stereo: STEREO,
      tuning: { ...NO_TUNING, lowVram: true },
    });
    expect(args.slice(-3)).toEqual(['--low-vram', '--max-fps', '30']);
  });
});

describe('IW3_* tuning', () => {
  it("passes iw3's own --max-fps default (30) when no variable is set, and nothing else", () => {
    expect(tuningFlags(parseIw3Tuning({}))).toEqual(['--max-fps', '30']);
  });

  it('keeps 60 fps sources at 60 fps with IW3_MAX_FPS=60', () => {
    expect(tuningFlags(parseIw3Tuning({ IW3_MAX_FPS: '60' }))).toEqual(['--max-fps', '60']);
  });

  it.each([
    [{ IW3_LOW_VRAM: '1' }, ['--low-vram']],
    [{ IW3_LOW_VRAM: 'true' }, ['--low-vram']],
    [{ IW3_LOW_VRAM: '0' }, []],
    [{ IW3_MAX_FPS: '24' }, []],
    [{ IW3_MAX_FPS: '29.97' }, []],
    [{ IW3_PRESET: 'medium' }, ['--preset', 'medium']],
    [{ IW3_PRESET: 'p4' }, ['--preset', 'p4']],
    [{ IW3_VIDEO_CODEC: 'h264_nvenc' }, ['--video-codec', 'h264_nvenc']],
    [{ IW3_DISABLE_AMP: '1' }, ['--disable-amp']],
    [{ IW3_DISABLE_AMP: '0' }, []],
    [{ IW3_DEPTH_MODEL: 'Any_V2_S' }, ['--depth-model', 'Any_V2_S']],
    [{ IW3_METHOD: 'row_flow_v3' }, ['--method', 'row_flow_v3']],
    [{ IW3_LOW_VRAM: '', IW3_MAX_FPS: ' ', IW3_DEPTH_MODEL: '', IW3_METHOD: '' }, []],
  ] as [Record<string, string>, string[]][])('%j → %j (besides --max-fps)', (env, flags) => {
    // Act
    const all = tuningFlags(parseIw3Tuning(env));
    // Assess
    const maxFps = all.indexOf('--max-fps');
    expect([...all.slice(0, maxFps), ...all.slice(maxFps + 2)]).toEqual(flags);
    expect(all[maxFps + 1]).toBe(env['IW3_MAX_FPS']?.trim() || '30');
  });

  it('maps every variable together in a fixed order', () => {
    const tuning = parseIw3Tuning({
      IW3_DEPTH_MODEL: 'ZoeD_Any_N',
      IW3_DISABLE_AMP: '1',
      IW3_VIDEO_CODEC: 'libx265',
      IW3_PRESET: 'slow',
      IW3_MAX_FPS: '30',
      IW3_LOW_VRAM: '1',
      IW3_METHOD: 'row_flow_v3',
    });
    expect(tuningFlags(tuning)).toEqual([
      '--low-vram',
      '--max-fps',
      '30',
      '--preset',
      'slow',
      '--video-codec',
      'libx265',
      '--disable-amp',
      '--depth-model',
      'ZoeD_Any_N',
      '--method',
      'row_flow_v3',
    ]);
  });

  it.each([
    [{ IW3_LOW_VRAM: 'yes' }, 'IW3_LOW_VRAM must be 1 or 0'],
    [{ IW3_MAX_FPS: 'fast' }, 'IW3_MAX_FPS must be a number'],
    [{ IW3_MAX_FPS: '-1' }, 'IW3_MAX_FPS must be positive'],
    [{ IW3_PRESET: 'turbo' }, 'IW3_PRESET must be one of'],
    [{ IW3_VIDEO_CODEC: 'x264; rm -rf /' }, 'IW3_VIDEO_CODEC must be an ffmpeg encoder name'],
    [{ IW3_DEPTH_MODEL: '../model' }, "IW3_DEPTH_MODEL=../model is not one of iw3's depth models: ZoeD_N, ZoeD_K"],
    // A typo that the old pattern check let through, so every conversion failed instead of the start:
    [{ IW3_DEPTH_MODEL: 'ZoeD_AnyN' }, "IW3_DEPTH_MODEL=ZoeD_AnyN is not one of iw3's depth models"],
    [{ IW3_DEPTH_MODEL: 'zoed_any_n' }, "IW3_DEPTH_MODEL=zoed_any_n is not one of iw3's depth models"],
    [{ IW3_METHOD: 'row_flow_v4' }, "IW3_METHOD=row_flow_v4 is not one of iw3's methods: grid_sample, backward"],
  ])('rejects %j', (env, message) => {
    expect(() => parseIw3Tuning(env)).toThrow(InferenceConfigError);
    expect(() => parseIw3Tuning(env)).toThrow(message);
  });
});

describe("iw3's output file name", () => {
  it.each([
    ['anaglyph', 'segment_redcyan_dubois.mp4'],
    ['sbs', 'segment_LRF_Full_SBS.mp4'],
    ['half-sbs', 'segment_LR.mp4'],
    ['tb', 'segment_TBF_fulltb.mp4'],
    ['half-tb', 'segment_TB.mp4'],
    ['cross-eyed', 'segment_RLF_cross.mp4'],
  ] as const)('%s → %s', (mode, name) => {
    expect(iw3OutputFileName('/tmp/x/segment.mp4', mode, 'dubois')).toBe(name);
  });

  it('replaces characters iw3 replaces', () => {
    expect(iw3OutputFileName('/tmp/a:b*c.mkv', 'tb', 'dubois')).toBe('a_b_c_TBF_fulltb.mp4');
  });
});
