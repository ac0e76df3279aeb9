import { createSessionSigner } from '../../src/security/session-cookie';

describe('createSessionSigner', () => {
  const NOW = 1_800_000_000_000;
  const HOUR = 3_600_000;

  it('issues a value that verifies until it expires, and never contains the token', () => {
    // Prepare
    const signer = createSessionSigner('correct-horse-battery-staple', HOUR);

    // Act
    const session = signer.issue(NOW);

    // Assess
    expect(session.value).not.toContain('correct-horse');
    expect(session.maxAgeSeconds).toBe(3600);
    expect(signer.verify(session.value, NOW + HOUR - 1)).toBe(true);
    expect(signer.verify(session.value, NOW + HOUR)).toBe(false);
  });

  it('refuses an altered expiry, another token\'s session, garbage and nothing', () => {
    // Prepare
    const signer = createSessionSigner('correct-horse-battery-staple', HOUR);
    const [version, expiresAt, mac] = signer.issue(NOW).value.split('.');

    // Act
    const extended = `${version}.${Number(expiresAt) + 10 * HOUR}.${mac}`;
    const other = createSessionSigner('another-token-entirely', HOUR).issue(NOW).value;

    // Assess
    expect(signer.verify(extended, NOW)).toBe(false);
    expect(signer.verify(other, NOW)).toBe(false);
    expect(signer.verify('correct-horse-battery-staple', NOW)).toBe(false);
    expect(signer.verify(undefined, NOW)).toBe(false);
  });
});
