import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api/client.js';
import { type LiveMessage, live } from './api/live.js';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** True until the first answer (later reloads keep showing the old data). */
  readonly loading: boolean;
  reload(): void;
}

/**
 * GETs `path` (null: nothing) and keeps it fresh: reloads when a live event matches
 * `isRelevant`, and after every reconnect of the live stream (changes may have been missed).
 * Reloads are debounced so a burst of events costs one request.
 */
export function useResource<T>(
  path: string | null,
  isRelevant?: (message: LiveMessage, data: T | undefined) => boolean,
): Resource<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error }>({ path });
  const [generation, setGeneration] = useState(0);
  const relevant = useRef(isRelevant);
  relevant.current = isRelevant;
  const dataRef = useRef<T | undefined>(undefined);
  dataRef.current = state.path === path ? state.data : undefined;

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    get<T>(path, controller.signal).then(
      (data) => setState({ path, data }),
      (error: Error) => {
        if (!controller.signal.aborted)
          setState((s) => ({ path, ...(s.path === path ? { data: s.data } : {}), error }));
      },
    );
    void generation;
    return () => controller.abort();
  }, [path, generation]);

  useEffect(() => {
    if (path === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = live.subscribe((message) => {
      const fn = relevant.current;
      if (message.type !== 'ready' && !(fn?.(message, dataRef.current) ?? false)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 150);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [path, reload]);

  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== null && (!current || (state.data === undefined && state.error === undefined)),
    reload,
  };
}
