/**
 * DNS rebinding defence: a page on `http://rebind.attacker.example:8080` whose name later resolves
 * to 127.0.0.1 reaches this server from the victim's browser, but its requests still carry
 * `Host: rebind.attacker.example:8080`. Only the names this server is really reached under are
 * accepted: PUBLIC_BASE_URL's host, the address it listens on, and, when it listens on loopback
 * or on every address, the loopback names (`127.0.0.1`, `localhost`, `[::1]`) with its port.
 */
import type { FastifyInstance } from 'fastify';

export interface HostAllowlistOptions {
  /** The address the server listens on (HOST), e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly bindHost: string;
  /** The port it really listens on (after `PORT=0` picked one). */
  readonly port: number;
  /** PUBLIC_BASE_URL, when set. */
  readonly publicBaseUrl?: string;
}

export interface HostAllowlist {
  /** The `host[:port]` values accepted in the Host header, lowercase. */
  readonly hosts: ReadonlySet<string>;
  /** The origins (`scheme://host[:port]`) a browser's Origin header may name. */
  readonly origins: ReadonlySet<string>;
  allowsHost(host: string | undefined): boolean;
  allowsOrigin(origin: string): boolean;
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

export function createHostAllowlist(options: HostAllowlistOptions): HostAllowlist {
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const add = (scheme: 'http' | 'https', name: string, port: number) => {
    const defaultPort = scheme === 'https' ? 443 : 80;
    hosts.add(`${name}:${port}`);
    if (port === defaultPort) hosts.add(name);
    origins.add(port === defaultPort ? `${scheme}://${name}` : `${scheme}://${name}:${port}`);
  };

  const bind = options.bindHost.trim().toLowerCase();
  if (WILDCARD_BINDS.has(bind) || isLoopbackHost(bind)) {
    for (const name of LOOPBACK_NAMES) add('http', name, options.port);
  }
  if (!WILDCARD_BINDS.has(bind)) add('http', bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind, options.port);

  if (options.publicBaseUrl !== undefined) {
    const url = new URL(options.publicBaseUrl);
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
    add(scheme, url.hostname.toLowerCase(), port);
  }

  return {
    hosts,
    origins,
    allowsHost: (host) => host !== undefined && hosts.has(host.trim().toLowerCase()),
    allowsOrigin: (origin) => origins.has(origin.trim().toLowerCase()),
  };
}

/**
 * The first onRequest hook: a Host this server is not reached under is DNS rebinding (or a
 * misrouted request), answered 421 in plain text before any routing, cookie or page. Load
 * balancers' health checks name the target's address: /healthz is exempt, it tells nothing.
 */
export function registerHostAllowlist(app: FastifyInstance, allowlist: () => HostAllowlist): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?', 1)[0] === '/healthz') return;
    const host = request.headers.host;
    if (allowlist().allowsHost(host)) return;
    const message =
      `this server does not answer to the host ${JSON.stringify(host ?? '')}; ` +
      `it answers to ${[...allowlist().hosts].join(', ')} (set PUBLIC_BASE_URL to the address browsers use)`;
    await reply
      .code(421)
      .header('connection', 'close')
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`421 Misdirected Request: ${message}\n`);
    return reply;
  });
}
