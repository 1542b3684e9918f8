import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * Applies per-token limits to API requests (per client address when anonymous). A 429 carries
 * both `RateLimit-ResetTime` (an HTTP date) and `Retry-After` (seconds).
 */
export function installRateLimit(app: FastifyInstance, limiter: RateLimiter, clock: Clock): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const auth = request.headers.authorization;
    const key = auth
      ? `t:${createHash('sha256').update(auth).digest('hex').slice(0, 32)}`
      : `ip:${request.ip}`;
    const now = clock.nowMs();
    const decision = limiter.take(key, now);
    if (decision.allowed) return;
    const resetMs = now + decision.retryAfterMs;
    reply
      .status(429)
      .header('RateLimit-ResetTime', new Date(Math.ceil(resetMs / 1000) * 1000).toUTCString())
      .header('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))))
      .send({
        code: 'RATE_LIMITED',
        message: 'too many requests; retry after the time in Retry-After',
      });
    return reply;
  });
}
