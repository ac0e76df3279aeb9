import { createHostAllowlist } from '../../src/security/host-allowlist';

describe('createHostAllowlist', () => {
  it('on a loopback bind accepts the loopback names with the port, and nothing else', () => {
    // Act
    const allowlist = createHostAllowlist({ bindHost: '127.0.0.1', port: 8080 });

    // Assess
    expect([...allowlist.hosts]).toEqual(['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']);
    expect(allowlist.allowsHost('LOCALHOST:8080')).toBe(true);
    expect(allowlist.allowsHost('localhost:8081')).toBe(false);
    expect(allowlist.allowsHost('localhost')).toBe(false);
    expect(allowlist.allowsHost('rebind.attacker.example:8080')).toBe(false);
    expect(allowlist.allowsHost(undefined)).toBe(false);
    expect(allowlist.allowsOrigin('http://localhost:8080')).toBe(true);
    expect(allowlist.allowsOrigin('https://localhost:8080')).toBe(false);
    expect(allowlist.allowsOrigin('null')).toBe(false);
  });

  it('adds PUBLIC_BASE_URL, with and without its default port, and its origin', () => {
    // Act
    const allowlist = createHostAllowlist({ bindHost: '0.0.0.0', port: 8080, publicBaseUrl: 'https://Stereo.Example.com' });

    // Assess
    expect(allowlist.allowsHost('stereo.example.com')).toBe(true);
    expect(allowlist.allowsHost('stereo.example.com:443')).toBe(true);
    expect(allowlist.allowsHost('stereo.example.com:8080')).toBe(false);
    expect(allowlist.allowsHost('127.0.0.1:8080')).toBe(true);
    expect(allowlist.allowsOrigin('https://stereo.example.com')).toBe(true);
    expect(allowlist.allowsOrigin('http://stereo.example.com')).toBe(false);
  });

  it('on a specific address accepts that address only (plus PUBLIC_BASE_URL)', () => {
    // Act
    const lan = createHostAllowlist({ bindHost: '192.168.1.20', port: 9000 });
    const v6 = createHostAllowlist({ bindHost: 'fd00::5', port: 9000 });

    // Assess
    expect([...lan.hosts]).toEqual(['192.168.1.20:9000']);
    expect([...v6.hosts]).toEqual(['[fd00::5]:9000']);
  });
});
