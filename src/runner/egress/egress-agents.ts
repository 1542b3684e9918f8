import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ProxyEndpoint } from '../../proxy/index.js';

/**
 * Kept-alive connections of one job's local proxy for absolute-form requests: one pool for
 * direct routes, one per upstream proxy (TLS for an https:// proxy, with the runner's CAs).
 */
export class EgressAgents {
  readonly direct = new HttpAgent({ keepAlive: true });
  readonly #proxies = new Map<string, HttpAgent>();
  readonly #ca: readonly string[] | undefined;

  constructor(ca: readonly string[] | undefined) {
    this.#ca = ca;
  }

  forProxy(endpoint: ProxyEndpoint): HttpAgent {
    let agent = this.#proxies.get(endpoint.url);
    if (agent === undefined) {
      agent =
        endpoint.protocol === 'https'
          ? new HttpsAgent({ keepAlive: true, ...(this.#ca ? { ca: [...this.#ca] } : {}) })
          : new HttpAgent({ keepAlive: true });
      this.#proxies.set(endpoint.url, agent);
    }
    return agent;
  }

  /** Closes every pooled connection. */
  destroy(): void {
    this.direct.destroy();
    for (const agent of this.#proxies.values()) agent.destroy();
    this.#proxies.clear();
  }
}
