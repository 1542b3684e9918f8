import { redactUrlsInText } from '../../shared/redact-url.js';

/**
 * One line of the runner's egress log: a CONNECT tunnel or one absolute-form request a job made
 * through its local forward proxy. Never carries credentials, paths or queries: the target is
 * `host:port` and the upstream proxy its credential-free URL.
 */
export interface EgressAccess {
  readonly jobId: string;
  /** `CONNECT`, or the request's method (`GET`, `POST`, …). */
  readonly method: string;
  /** `host:port` (IPv6 in brackets), or the request target as given when it did not parse. */
  readonly target: string;
  /** `direct` (NO_PROXY, internal or loopback host), `proxy` (through the upstream proxy), or
   * `refused` (the local proxy answered itself: a malformed request, an unsupported scheme). */
  readonly route: 'direct' | 'proxy' | 'refused';
  /** The upstream proxy, `<protocol>://<host>:<port>`, when the route is `proxy`. */
  readonly proxy?: string;
  /** The rule that decided the route (`no_proxy: .corp.example`, `https_proxy`, …). */
  readonly rule?: string;
  /** The status the job got (200 for an open tunnel); undefined when the job left first. */
  readonly status: number | undefined;
  /** Bytes from the job to the target (request body, or tunnel bytes). */
  readonly bytesUp: number;
  /** Bytes from the target to the job (response body, or tunnel bytes). */
  readonly bytesDown: number;
  readonly durationMs: number;
  /** Why it failed or ended early, without secrets. */
  readonly error?: string;
}

function quoted(text: string): string {
  return JSON.stringify(redactUrlsInText(text));
}

/**
 * `egress job=… method=CONNECT target=host:443 route=proxy proxy=http://p:3128 status=200
 * up=517 down=4120 ms=35`: one `key=value` line, easy to grep and to parse.
 */
export function formatEgressAccess(access: EgressAccess): string {
  const parts = [
    'egress',
    `job=${access.jobId}`,
    `method=${access.method}`,
    `target=${/^[^\s"=@]+$/.test(access.target) ? access.target : quoted(access.target)}`,
    `route=${access.route}`,
  ];
  if (access.proxy !== undefined) parts.push(`proxy=${access.proxy}`);
  if (access.rule !== undefined) parts.push(`rule=${quoted(access.rule)}`);
  parts.push(
    `status=${access.status ?? '-'}`,
    `up=${access.bytesUp}`,
    `down=${access.bytesDown}`,
    `ms=${Math.round(access.durationMs)}`,
  );
  if (access.error !== undefined) parts.push(`error=${quoted(access.error)}`);
  return parts.join(' ');
}
