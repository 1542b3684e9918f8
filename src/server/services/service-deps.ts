import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config.js';
import type { LogHub } from '../logs/log-hub.js';
import type { JobMetrics } from '../metrics/server-metrics.js';
import type { WakeSignal } from '../scheduler/wake-signal.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/store.js';

/** What every service gets, built once in src/cmd (or a test) and passed explicitly. */
export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: ServerConfig;
  readonly secrets: SecretBox;
  readonly logHub: LogHub;
  readonly wake: WakeSignal;
  readonly logger: Logger;
  readonly newId: () => string;
  /** Caches, workspaces, artifacts; default: a folder under the data folder. */
  readonly blobs?: BlobStore;
  /** Job timings and log bytes for `GET /metrics`; none in processes without metrics. */
  readonly metrics?: JobMetrics;
}
