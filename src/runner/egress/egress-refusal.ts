import type { Socket } from 'node:net';
import { type ProxyEndpoint, hasCredentials } from '../../proxy/index.js';
import { AppError, isAppError } from '../../shared/app-error.js';
import { redactUrlsInText } from '../../shared/redact-url.js';

/** What a job gets when its local proxy cannot serve a request: a status and a plain reason. */
export interface EgressRefusal {
  readonly status: number;
  readonly reason: string;
  /** The plain-text body: what went wrong and, when known, what to do. Never a secret. */
  readonly text: string;
}

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusOf(error: AppError): number {
  const given = error.details?.status;
  if (typeof given === 'number' && given >= 400 && given <= 599 && given !== 407) return given;
  switch (error.code) {
    case 'INVALID_ARGUMENT':
    case 'INVALID_URL':
      return 400;
    case 'TIMEOUT':
      return 504;
    default:
      return 502;
  }
}

/**
 * The answer for a failure: 502 for an unreachable or refusing upstream (a 407 of the upstream
 * proxy included: the job cannot answer it), 504 for a timeout, 400 for a malformed request, or
 * the status the upstream proxy gave when it refused a CONNECT. The text is redacted again, in
 * case a library's message quoted a URL with credentials.
 */
export function refusalFor(error: unknown): EgressRefusal {
  const known = isAppError(error)
    ? error
    : new AppError('INTERNAL', error instanceof Error ? error.message : String(error));
  const status = statusOf(known);
  const hint = known.hint ? `\n${known.hint}` : '';
  return {
    status,
    reason: reasons[status] ?? 'Error',
    text: redactUrlsInText(`Airlock's local proxy: ${known.message}${hint}\n`),
  };
}

/** Writes a refusal as a whole HTTP/1.1 response on a raw socket (a CONNECT) and closes it. */
export function writeRefusal(socket: Socket, refusal: EgressRefusal): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = Buffer.from(refusal.text, 'utf8');
  // The job's side should close once it read the answer; if it does not, close it anyway.
  socket.setTimeout(5_000, () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nProxy-Agent: airlock-runner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${refusal.text}`,
  );
}

/**
 * The upstream proxy answered 407 although the runner sent (or has no) credentials. Names the
 * proxy (credential-free URL) and the setting the credentials came from, never the credentials.
 */
export function upstreamAuthRejected(
  endpoint: ProxyEndpoint,
  proxyAuthenticate: string | undefined,
  request: string,
): AppError {
  const scheme = (proxyAuthenticate ?? '').trim().split(/\s+/)[0] ?? '';
  const details = { proxy: endpoint.url, source: endpoint.source, status: 502 };
  if (scheme !== '' && !/^basic$/i.test(scheme)) {
    return new AppError(
      'PROXY_AUTH_REQUIRED',
      `the upstream proxy ${endpoint.url} asks for ${scheme} authentication for ${request} (407 Proxy Authentication Required); the runner's local proxy speaks Basic only`,
      {
        hint: `ask the runner's operator: NTLM and Negotiate are not supported yet; a local proxy that speaks ${scheme} (such as cntlm) can sit between the runner and ${endpoint.url}`,
        details,
      },
    );
  }
  if (!hasCredentials(endpoint)) {
    return new AppError(
      'PROXY_AUTH_REQUIRED',
      `the upstream proxy ${endpoint.url} asks for credentials for ${request} (407 Proxy Authentication Required), and the runner has none for it in ${endpoint.source}`,
      {
        hint: `ask the runner's operator to set ${endpoint.source} on the runner to ${endpoint.protocol}://USER:PASSWORD@${endpoint.url.slice(endpoint.protocol.length + 3)}`,
        details,
      },
    );
  }
  return new AppError(
    'PROXY_AUTH_REQUIRED',
    `the upstream proxy ${endpoint.url} rejected the runner's credentials for ${request} (407 Proxy Authentication Required)`,
    {
      hint: `ask the runner's operator to check the user and password in ${endpoint.source} on the runner: they are wrong, expired, or not allowed to use this proxy`,
      details,
    },
  );
}
