import pg from 'pg';
import { type JobsQueuedBus, decodeJobsQueuedEvent, jobsQueuedChannel } from './jobs-queued-bus.js';

/** Wait before reconnecting a lost LISTEN connection. */
const reconnectDelayMs = 1_000;

/**
 * One dedicated PostgreSQL connection that LISTENs on `airlock_jobs_queued` and feeds every
 * notification into the in-process bus, so a job queued by any replica wakes long-polls here.
 * A lost connection is re-opened after a second, again and again until close(); after a
 * reconnect the bus gets one hint-less event, since notifications may have been missed.
 */
export class PostgresJobListener {
  readonly #config: pg.ClientConfig;
  readonly #bus: JobsQueuedBus;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, bus: JobsQueuedBus, onError: (error: unknown) => void) {
    this.#config = config;
    this.#bus = bus;
    this.#onError = onError;
  }

  /** Connects and LISTENs; rejects when the first connection fails. */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('notification', (message) => {
      if (message.channel === jobsQueuedChannel) {
        this.#bus.emit(decodeJobsQueuedEvent(message.payload));
      }
    });
    client.on('error', (error) => {
      this.#onError(error);
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${jobsQueuedChannel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end();
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          if (!this.#closed) this.#bus.emit({});
        },
        (error: unknown) => {
          this.#onError(error);
          this.#scheduleReconnect();
        },
      );
    }, reconnectDelayMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }
}
