import type { LookupFunction } from 'node:net';
import type { ProxyPolicy } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { type EgressAccess, formatEgressAccess } from './egress-access.js';
import { type EgressProxy, startEgressProxy } from './egress-proxy.js';

export type EgressLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface JobEgressOptions {
  readonly policy: ProxyPolicy;
  /**
   * 0 (default): every job's proxy gets an ephemeral port. Otherwise the first of a range: the
   * job in slot n (0 ≤ n < slots) listens on firstPort + n.
   */
  readonly firstPort?: number;
  /** Jobs that may run at once (the runner's capacity): the size of the port range. */
  readonly slots: number;
  readonly caBundle?: string | undefined;
  /** The runner's log: one line per tunnel or request (see `formatEgressAccess`). */
  readonly log: EgressLog;
  readonly connectTimeoutMs?: number;
  readonly lookup?: LookupFunction;
}

/** One job's local proxy, from `JobEgress.open` until `close` (at the job's end). */
export interface EgressLease {
  /** `http://127.0.0.1:PORT`, without credentials. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The runner's local forward proxies for its jobs: one listener per running job, so every
 * tunnel and request is logged under the job that made it and nothing of a job can use the
 * proxy once the job has ended. `close()` (runner shutdown) ends them all.
 */
export class JobEgress {
  readonly #o: JobEgressOptions;
  readonly #slots: (EgressProxy | 'opening' | undefined)[];
  readonly #open = new Set<EgressProxy>();
  #closed = false;

  constructor(options: JobEgressOptions) {
    this.#o = options;
    this.#slots = new Array(Math.max(1, options.slots)).fill(undefined);
  }

  /** Starts the local proxy of a job. */
  async open(jobId: string): Promise<EgressLease> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the runner is shutting down');
    const firstPort = this.#o.firstPort ?? 0;
    let slot = -1;
    if (firstPort > 0) {
      slot = this.#slots.indexOf(undefined);
      if (slot < 0) {
        throw new AppError(
          'UNAVAILABLE',
          `no free port for the local proxy of job ${jobId}: ports ${firstPort}-${firstPort + this.#slots.length - 1} are all taken by running jobs`,
        );
      }
      this.#slots[slot] = 'opening';
    }
    let proxy: EgressProxy;
    try {
      proxy = await startEgressProxy({
        policy: this.#o.policy,
        jobId,
        port: slot < 0 ? 0 : firstPort + slot,
        caBundle: this.#o.caBundle,
        onAccess: (access) => this.#logAccess(access),
        ...(this.#o.connectTimeoutMs !== undefined
          ? { connectTimeoutMs: this.#o.connectTimeoutMs }
          : {}),
        ...(this.#o.lookup ? { lookup: this.#o.lookup } : {}),
      });
    } catch (error) {
      if (slot >= 0) this.#slots[slot] = undefined;
      throw error;
    }
    if (slot >= 0) this.#slots[slot] = proxy;
    this.#open.add(proxy);
    if (this.#closed) {
      await proxy.close();
      throw new AppError('UNAVAILABLE', 'the runner is shutting down');
    }
    return {
      url: proxy.url,
      port: proxy.port,
      close: async () => {
        await proxy.close();
        this.#open.delete(proxy);
        if (slot >= 0 && this.#slots[slot] === proxy) this.#slots[slot] = undefined;
      },
    };
  }

  /** Ends every job's proxy (runner shutdown). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#open].map((proxy) => proxy.close()));
    this.#open.clear();
  }

  #logAccess(access: EgressAccess): void {
    const failed =
      access.error !== undefined && access.status !== undefined && access.status >= 500;
    this.#o.log(failed ? 'warn' : 'info', formatEgressAccess(access), { egress: access });
  }
}
