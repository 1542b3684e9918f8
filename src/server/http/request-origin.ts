import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../services/audit-caller.js';

/** Longest client-supplied header value the audit log keeps. */
const maxHeaderChars = 200;

function headerText(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  // Printable ASCII only: a header must not smuggle control characters into a CSV or a terminal.
  const clean = text.replace(/[^\x20-\x7e]/g, '?').slice(0, maxHeaderChars);
  return clean;
}

/** `::ffff:10.1.2.3` (an IPv4 client on a dual-stack socket) is written `10.1.2.3`. */
export function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(ip);
  return mapped?.[1] ?? ip;
}

/**
 * Where a request came from, for the audit log: the request id the server logs, the client's
 * address (`request.ip`: behind the trusted proxies of `--trusted-proxies`, the address they
 * put in `X-Forwarded-For`; otherwise the socket's peer), `X-Client-Trace-Id` and `User-Agent`.
 */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const traceId = headerText(request.headers['x-client-trace-id']);
  const userAgent = headerText(request.headers['user-agent']);
  return {
    id: request.id,
    ipAddress: plainIp(request.ip),
    ...(traceId === undefined ? {} : { clientTraceId: traceId }),
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}
