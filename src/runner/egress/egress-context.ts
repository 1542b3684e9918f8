import type { Socket } from 'node:net';
import type { ProxyPolicy } from '../../proxy/index.js';
import type { EgressAccess } from './egress-access.js';
import type { UpstreamOptions } from './upstream-socket.js';

/** What the CONNECT and absolute-form handlers of one job's local proxy share. */
export interface EgressContext {
  readonly policy: ProxyPolicy;
  readonly jobId: string;
  readonly upstream: Omit<UpstreamOptions, 'signal'>;
  /** Called once per tunnel or request, when it has ended. */
  readonly onAccess: (access: EgressAccess) => void;
  /** Registers an open socket, so closing the proxy can end it. */
  readonly track: (socket: Socket) => void;
  readonly nowMs: () => number;
}
