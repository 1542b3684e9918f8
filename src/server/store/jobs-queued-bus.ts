/** What a wake-up says, when the sender knows; every field is a hint, none is required. */
export interface JobsQueuedEvent {
  /** Resource classes of the newly queued jobs; undefined means "maybe any". */
  readonly resourceClasses?: readonly string[];
  /** The workflow whose jobs were queued. */
  readonly workflowId?: string;
}

export type JobsQueuedListener = (event: JobsQueuedEvent) => void;

/**
 * In-process fan-out of "jobs were queued" wake-ups to long-polls. On SQLite this is the whole
 * mechanism (one process owns the file); on PostgreSQL the LISTEN client feeds it. A listener
 * that throws does not stop the others; its error goes to `onListenerError`.
 */
export class JobsQueuedBus {
  readonly #listeners = new Set<JobsQueuedListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: JobsQueuedListener): () => void {
    // Wrap so the same function may subscribe twice and unsubscribe independently.
    const entry: JobsQueuedListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: JobsQueuedEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}

/** The PostgreSQL channel that carries wake-ups between server replicas. */
export const jobsQueuedChannel = 'airlock_jobs_queued';

/** NOTIFY payloads are limited to 8000 bytes; above that the event says "maybe any". */
export function encodeJobsQueuedEvent(event: JobsQueuedEvent): string {
  const text = JSON.stringify({
    resourceClasses: event.resourceClasses,
    workflowId: event.workflowId,
  });
  return Buffer.byteLength(text) < 7900 ? text : '{}';
}

export function decodeJobsQueuedEvent(payload: string | undefined): JobsQueuedEvent {
  if (payload === undefined || payload === '') return {};
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return {};
    const { resourceClasses, workflowId } = value as Record<string, unknown>;
    return {
      ...(Array.isArray(resourceClasses) &&
        resourceClasses.every((c) => typeof c === 'string') && { resourceClasses }),
      ...(typeof workflowId === 'string' && { workflowId }),
    };
  } catch {
    // A payload from someone else on the channel: still a wake-up, with no hint.
  }
  return {};
}
