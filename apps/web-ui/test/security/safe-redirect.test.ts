import { sameOriginPath } from '../../src/security/safe-redirect';

describe('sameOriginPath', () => {
  it.each(['/', '/jobs', '/jobs?list=failed&cursor=abc', '/jobs/1b4e28ba-2fa1-41d2-883f-0016d3cca427', '/a%2Fb'])(
    'keeps %j',
    (path) => expect(sameOriginPath(path)).toBe(path),
  );

  it.each([
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '/%09/evil.example',
    '/\r\n/evil.example',
    '/%0a/evil.example',
    '/\u0085/evil.example',
    'https://evil.example',
    'evil.example',
    'javascript:alert(1)',
    '/%E0%A4%A',
    '',
  ])('refuses %j', (path) => expect(sameOriginPath(path)).toBeUndefined());

  it('refuses nothing given', () => {
    expect(sameOriginPath(null)).toBeUndefined();
    expect(sameOriginPath(undefined)).toBeUndefined();
  });
});
