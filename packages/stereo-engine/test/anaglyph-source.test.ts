import { videoAnaglyphSource } from '../src/convert/encoding';
import type { ColorDescription, VideoStreamInfo } from '../src/ffmpeg/probe';

// Which YUV encoding a video anaglyph reads its source in (pure logic; the colours themselves
// are checked through ffmpeg in anaglyph-color.test.ts).

const UNTAGGED: ColorDescription = { space: undefined, primaries: undefined, transfer: undefined, range: undefined };

function stream(width: number, height: number, pixFmt: string | undefined, color: Partial<ColorDescription> = {}): VideoStreamInfo {
  return {
    index: 0, codec: 'h264', width, height, codedWidth: width, codedHeight: height, rotation: 0,
    frameRate: 25, frameRateRational: { num: 25, den: 1 }, avgFrameRate: 25, variableFrameRate: false,
    frameCount: 50, durationSeconds: 2, pixFmt, bitDepth: 8, color: { ...UNTAGGED, ...color },
  };
}

describe('videoAnaglyphSource', () => {
  it.each([
    ['tagged bt709', stream(640, 360, 'yuv420p', { space: 'bt709' }), { matrix: 'bt709', fullRange: false }],
    ['tagged smpte170m at 1080p', stream(1920, 1080, 'yuv420p', { space: 'smpte170m' }), { matrix: 'bt601', fullRange: false }],
    ['tagged bt470bg', stream(720, 576, 'yuv420p10le', { space: 'bt470bg' }), { matrix: 'bt601', fullRange: false }],
    ['tagged bt2020nc, 10-bit', stream(3840, 2160, 'yuv420p10le', { space: 'bt2020nc' }), { matrix: 'bt2020', fullRange: false }],
    ['tagged pc range', stream(1280, 720, 'yuv420p', { space: 'bt709', range: 'pc' }), { matrix: 'bt709', fullRange: true }],
    ['yuvj420p, untagged range', stream(1280, 720, 'yuvj420p', { space: 'bt709' }), { matrix: 'bt709', fullRange: true }],
    ['untagged HD (1280 wide)', stream(1280, 720, 'yuv420p'), { matrix: 'bt709', fullRange: false }],
    ['untagged portrait HD (taller than 576)', stream(720, 1280, 'yuv420p'), { matrix: 'bt709', fullRange: false }],
    ['untagged SD', stream(720, 576, 'yuv420p'), { matrix: 'bt601', fullRange: false }],
    ['an unknown matrix name (treated as untagged)', stream(640, 480, 'yuv444p', { space: 'ycgco' }), { matrix: 'bt601', fullRange: false }],
  ])('%s', (_name, video, expected) => {
    expect(videoAnaglyphSource(video, 'yuv444p')).toEqual(expected);
  });

  it('is undefined (the gbrp path) for RGB or gray sources and for RGB output formats', () => {
    expect(videoAnaglyphSource(stream(640, 360, 'gbrp'), 'yuv444p')).toBeUndefined();
    expect(videoAnaglyphSource(stream(640, 360, 'rgb24'), 'yuv444p')).toBeUndefined();
    expect(videoAnaglyphSource(stream(640, 360, 'gray'), 'yuv444p')).toBeUndefined();
    expect(videoAnaglyphSource(stream(640, 360, undefined), 'yuv444p')).toBeUndefined();
    expect(videoAnaglyphSource(stream(640, 360, 'yuv420p'), 'gbrp')).toBeUndefined();
  });
});
