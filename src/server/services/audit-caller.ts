import type { AuditRef, AuditRequestRef } from '../store/audit-events-repository.js';
import type { RunnerRow } from '../store/runners-repository.js';
import type { Principal } from './auth-service.js';

/** The request an action came through, as the audit log records it. */
export interface RequestOrigin extends AuditRequestRef {
  /** The `User-Agent` header (recorded in the event's metadata as `user_agent`). */
  readonly userAgent?: string;
}

/** Who asked for an action and through which request: the actor and `request` of its event. */
export interface Caller {
  readonly actor: AuditRef;
  /** Absent for what the server does by itself (scheduler, timers, start-up). */
  readonly request?: RequestOrigin | undefined;
  /** Extra string pairs for the event's metadata (`auth`: session or token). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The server itself: the scheduler, timers, the embedded runner's set-up, `airlock run`. */
export const systemCaller: Caller = { actor: { id: 'system', type: 'system', name: 'airlock' } };

/** A signed-in user (session or API token) and the request they made. */
export function callerOf(principal: Principal): Caller {
  return {
    actor: { id: principal.userId, type: 'user', name: principal.username },
    request: principal.request,
    metadata: { auth: principal.via },
  };
}

/** A runner, by its id and name, and the request it made. */
export function runnerCaller(
  runner: Pick<RunnerRow, 'id' | 'name'>,
  request?: RequestOrigin,
): Caller {
  return { actor: { id: runner.id, type: 'runner', name: runner.name }, request };
}

/** Someone not signed in (a failed sign-in, a refused registration): named as they said. */
export function anonymousCaller(claimedName: string, request?: RequestOrigin): Caller {
  return {
    actor: { id: 'anonymous', type: 'anonymous', name: claimedName.slice(0, 200) },
    request,
  };
}
