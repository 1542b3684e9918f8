import { useEffect, useRef, useState } from 'react';
import { appUrl } from '../api/base-path.js';
import { LogModel } from './log-model.js';

export type StreamState = 'loading' | 'streaming' | 'complete' | 'reconnecting' | 'error';

export interface LogStream {
  readonly model: LogModel;
  /** Bumped (at most once a frame) whenever lines arrived. */
  readonly version: number;
  readonly state: StreamState;
  /** The job's status once the log is complete. */
  readonly endStatus: string | null;
  retry(): void;
}

/**
 * Loads a job's log into a LogModel. A job that has ended is read as one streamed text
 * response (the fastest way to move 50 MB); a running one over SSE: stored chunks, then live
 * ones, then `end`, resuming after the last chunk seen when the connection drops. Renders are
 * batched to one per animation frame however fast data arrives.
 */
export function useLogStream(jobId: string, endedAs: string | null): LogStream {
  const [model, setModel] = useState(() => new LogModel());
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('loading');
  const [endStatus, setEndStatus] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // Read when the stream starts; later status changes come through the stream itself.
  const ended = useRef(endedAs);
  ended.current ??= endedAs;

  useEffect(() => {
    void attempt;
    const log = new LogModel();
    setModel(log);
    setVersion(0);
    setState('loading');
    setEndStatus(null);
    let lastSeq = -1;
    let frame = 0;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;
    const controller = new AbortController();
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const finish = (status: string) => {
      stopped = true;
      setEndStatus(status);
      setState('complete');
      schedule();
    };

    const openStream = () => {
      const after = lastSeq >= 0 ? `?after=${lastSeq}` : '';
      const es = new EventSource(
        appUrl(`api/v1/jobs/${encodeURIComponent(jobId)}/log/stream${after}`),
        {
          withCredentials: true,
        },
      );
      source = es;
      es.addEventListener('chunk', (event) => {
        failures = 0;
        const chunk = JSON.parse((event as MessageEvent<string>).data) as {
          seq: number;
          data: string;
        };
        if (chunk.seq <= lastSeq) return;
        lastSeq = chunk.seq;
        log.append(chunk.data);
        setState('streaming');
        schedule();
      });
      es.addEventListener('open', () => {
        failures = 0;
        setState((s) => (s === 'reconnecting' ? (lastSeq >= 0 ? 'streaming' : 'loading') : s));
      });
      es.addEventListener('end', (event) => {
        es.close();
        finish((JSON.parse((event as MessageEvent<string>).data) as { status: string }).status);
      });
      es.addEventListener('error', () => {
        if (stopped || source !== es) return;
        failures++;
        setState('reconnecting');
        // CONNECTING: the browser retries by itself (sending Last-Event-ID). CLOSED: it gave up.
        if (es.readyState !== EventSource.CLOSED) return;
        if (failures > 6) {
          setState('error');
          return;
        }
        retry = setTimeout(openStream, Math.min(15_000, 500 * 2 ** failures));
      });
    };

    const readText = async (status: string) => {
      const response = await fetch(appUrl(`api/v1/ui/jobs/${encodeURIComponent(jobId)}/log`), {
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!response.ok || !response.body || response.headers.get('x-log-complete') !== 'true') {
        throw new Error(`log text: ${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        log.append(value);
        setState('streaming');
        schedule();
      }
      finish(status);
    };

    const endedStatus = ended.current;
    if (endedStatus !== null && attempt === 0) {
      readText(endedStatus).catch(() => {
        if (controller.signal.aborted) return;
        // Start over on the stream, which also serves ended jobs.
        log.clear();
        openStream();
      });
    } else {
      openStream();
    }
    return () => {
      stopped = true;
      controller.abort();
      source?.close();
      clearTimeout(retry);
      cancelAnimationFrame(frame);
    };
  }, [jobId, attempt]);

  return { model, version, state, endStatus, retry: () => setAttempt((a) => a + 1) };
}
