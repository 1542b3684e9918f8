import { type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { Agent, type RequestInit, type Response, fetch } from 'undici';

/**
 * A test's HTTPS client: fetch that trusts only the given CA (never Node's roots), optionally
 * asking for a server name other than the URL's host (a certificate for `ci.airlock.test` served
 * on 127.0.0.1).
 */
export interface TrustingClient {
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** Signs up the first user (admin) and returns an API token and a runner registration token. */
  bootstrap(baseUrl: string): Promise<{ token: string; registrationToken: string; cookie: string }>;
  close(): Promise<void>;
}

export function trustingClient(caPem: string, servername?: string): TrustingClient {
  const agent = new Agent({
    connect: { ca: [caPem], ...(servername ? { servername } : {}) },
  });
  const call = (url: string, init: RequestInit = {}) => fetch(url, { ...init, dispatcher: agent });
  const json = async <T>(response: Response, what: string): Promise<T> => {
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${what} -> ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    fetch: call,
    async bootstrap(baseUrl) {
      const credentials = { username: 'admin', password: 'correct-horse-battery' };
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        call(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      await json(await post('/api/v1/auth/signup', credentials), 'signup');
      const login = await post('/api/v1/auth/login', credentials);
      const cookie = login.headers.get('set-cookie') ?? '';
      const { csrfToken } = await json<{ csrfToken: string }>(login, 'login');
      const session = cookie.split(';')[0] ?? '';
      const { token } = await json<{ token: string }>(
        await post(
          '/api/v1/tokens',
          { name: 'tls' },
          { cookie: session, 'x-csrf-token': csrfToken },
        ),
        'token',
      );
      const { token: registrationToken } = await json<{ token: string }>(
        await post('/api/v1/runner-tokens', {}, { authorization: `Bearer ${token}` }),
        'runner token',
      );
      return { token, registrationToken, cookie };
    },
    close: () => agent.close(),
  };
}

/** A raw TLS connection's view: the certificate the server presented and whether it verified. */
export function peerCertificate(
  port: number,
  caPem: string,
  servername: string,
): Promise<{ serial: string; authorized: boolean; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca: [caPem] });
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      resolve({
        serial: cert.serialNumber.toUpperCase(),
        authorized: socket.authorized,
        protocol: socket.getProtocol(),
      });
      socket.end();
    });
    socket.once('error', reject);
  });
}
