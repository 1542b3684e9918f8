import type { LiveEvent } from '../../../src/protocol/ui-api.js';
import { appUrl } from './base-path.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';
/** `ready` after every (re)connect: what the page shows may be stale, reload it. */
export type LiveMessage = LiveEvent | { readonly type: 'ready' };
type Listener = (message: LiveMessage) => void;
type StatusListener = (status: LiveStatus) => void;

const maxBackoffMs = 15_000;

/**
 * One EventSource to `api/v1/events` for the whole page. The browser reconnects by itself
 * after a dropped connection; when it gives up (the server or a proxy answered an error while
 * restarting), this reconnects with a growing delay, at once when the browser comes back online.
 */
class LiveConnection {
  #source: EventSource | undefined;
  #status: LiveStatus = 'connecting';
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 1000;
  readonly #listeners = new Set<Listener>();
  readonly #statusListeners = new Set<StatusListener>();

  get status(): LiveStatus {
    return this.#status;
  }

  start(): void {
    if (this.#source) return;
    window.addEventListener('online', this.#reconnectNow);
    this.#open();
  }

  stop(): void {
    window.removeEventListener('online', this.#reconnectNow);
    clearTimeout(this.#retryTimer);
    this.#source?.close();
    this.#source = undefined;
    this.#setStatus('connecting');
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  readonly #reconnectNow = (): void => {
    if (this.#status === 'live') return;
    clearTimeout(this.#retryTimer);
    this.#source?.close();
    this.#open();
  };

  #open(): void {
    const source = new EventSource(appUrl('api/v1/events'), { withCredentials: true });
    this.#source = source;
    source.addEventListener('ready', () => {
      this.#backoffMs = 1000;
      this.#setStatus('live');
      this.#emit({ type: 'ready' });
    });
    source.addEventListener('change', (event) => {
      try {
        this.#emit(JSON.parse((event as MessageEvent<string>).data) as LiveEvent);
      } catch {
        // A malformed event is dropped; the next `ready` reloads everything anyway.
      }
    });
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      this.#setStatus('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => this.#open(), this.#backoffMs);
        this.#backoffMs = Math.min(maxBackoffMs, this.#backoffMs * 2);
      }
    });
  }

  #emit(message: LiveMessage): void {
    for (const listener of [...this.#listeners]) listener(message);
  }

  #setStatus(status: LiveStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of [...this.#statusListeners]) listener(status);
  }
}

export const live = new LiveConnection();
