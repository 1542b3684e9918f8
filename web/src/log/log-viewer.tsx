import {
  type CSSProperties,
  type FormEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { appUrl } from '../api/base-path.js';
import { formatBytes, plural } from '../format.js';
import { setHash, useLocation } from '../router.js';
import { type AnsiSpan, type AnsiStyle, parseAnsi } from './ansi.js';
import { logWindow, scrollTopFor } from './log-window.js';
import { type StreamState, useLogStream } from './use-log-stream.js';

const lineHeightPx = 18;

const stateText: Readonly<Record<StreamState, string>> = {
  loading: 'Loading…',
  streaming: 'Streaming live',
  complete: 'Complete',
  reconnecting: 'Reconnecting…',
  error: 'The log cannot be loaded',
};

function spanProps(style: AnsiStyle): { className: string; style?: CSSProperties } {
  const classes: string[] = [];
  const css: CSSProperties = {};
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) [fg, bg] = [bg ?? 'c-default-bg', fg ?? 'c-default-fg'];
  if (fg?.startsWith('#')) css.color = fg;
  else if (fg) classes.push(`fg-${fg}`);
  if (bg?.startsWith('#')) css.backgroundColor = bg;
  else if (bg) classes.push(`bg-${bg}`);
  if (style.bold) classes.push('b');
  if (style.dim) classes.push('d');
  if (style.italic) classes.push('i');
  if (style.underline) classes.push('u');
  return {
    className: classes.join(' '),
    ...(css.color || css.backgroundColor ? { style: css } : {}),
  };
}

function highlight(text: string, query: string): ReactNode {
  if (!query) return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(query); at >= 0; at = lower.indexOf(query, from)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + query.length)}</mark>);
    from = at + query.length;
  }
  if (parts.length === 0) return text;
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** Spans with where each starts in the line (a stable React key). */
function withOffsets(spans: readonly AnsiSpan[]): { span: AnsiSpan; offset: number }[] {
  let offset = 0;
  return spans.map((span) => {
    const at = offset;
    offset += span.text.length;
    return { span, offset: at };
  });
}

function LineText({
  spans,
  query,
}: { readonly spans: readonly AnsiSpan[]; readonly query: string }) {
  return (
    <>
      {withOffsets(spans).map(({ span, offset }) => {
        const props = spanProps(span.style);
        const content = highlight(span.text, query);
        return props.className || props.style ? (
          <span key={offset} {...props}>
            {content}
          </span>
        ) : (
          <span key={offset}>{content}</span>
        );
      })}
    </>
  );
}

/**
 * The job log: ANSI colours, line numbers that link to lines (#L42), search, follow mode and a
 * raw download. Only the lines in view are in the DOM, so a 50 MB log stays fast.
 */
export function LogViewer({
  jobId,
  jobName,
  status,
  ended,
}: {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: string;
  /** The job had ended when the page opened: read the whole log; else follow it live. */
  readonly ended: boolean;
}) {
  const live = !ended;
  const { model, version, state, endStatus, retry } = useLogStream(jobId, ended ? status : null);
  const { hash } = useLocation();
  const viewport = useRef<HTMLElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportPx, setViewportPx] = useState(600);
  const [follow, setFollow] = useState(live && !/^L\d+$/.test(hash));
  const programmatic = useRef(false);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<number[]>([]);
  const [current, setCurrent] = useState(-1);
  const lineCount = model.lineCount;
  const target = /^L(\d+)$/.exec(hash);
  const targetLine = target ? Number(target[1]) - 1 : -1;

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewportPx(el.clientHeight));
    observer.observe(el);
    setViewportPx(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const scrollTo = useCallback((top: number) => {
    const el = viewport.current;
    if (!el) return;
    programmatic.current = true;
    el.scrollTop = top;
    setScrollTop(el.scrollTop);
  }, []);

  // Follow: stay at the end while lines arrive.
  useLayoutEffect(() => {
    void version;
    const el = viewport.current;
    if (follow && el) scrollTo(el.scrollHeight);
  }, [version, follow, scrollTo]);

  // A #L42 link: scroll there once the line has arrived.
  const reached = useRef<string>('');
  useLayoutEffect(() => {
    if (targetLine < 0 || targetLine >= lineCount || reached.current === `${jobId}:${targetLine}`)
      return;
    reached.current = `${jobId}:${targetLine}`;
    setFollow(false);
    scrollTo(scrollTopFor(targetLine, viewportPx, lineCount, lineHeightPx));
  }, [targetLine, lineCount, viewportPx, scrollTo, jobId]);

  // Search again as lines arrive (at most every 300 ms).
  const needle = query.trim().toLowerCase();
  useEffect(() => {
    void version;
    if (!needle) {
      setMatches([]);
      setCurrent(-1);
      return;
    }
    const timer = setTimeout(() => setMatches(model.search(needle)), 300);
    return () => clearTimeout(timer);
  }, [needle, version, model]);

  const goToMatch = (index: number) => {
    if (matches.length === 0) return;
    const i = ((index % matches.length) + matches.length) % matches.length;
    setCurrent(i);
    setFollow(false);
    scrollTo(scrollTopFor(matches[i] as number, viewportPx, lineCount, lineHeightPx));
  };

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = needle ? model.search(needle) : [];
    setMatches(found);
    if (found.length > 0) {
      const i = current < 0 ? 0 : (current + 1) % found.length;
      setCurrent(i);
      setFollow(false);
      scrollTo(scrollTopFor(found[i] as number, viewportPx, lineCount, lineHeightPx));
    }
  };

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - lineHeightPx * 2;
    if (follow && !atEnd) setFollow(false);
  };

  const win = logWindow(scrollTop, viewportPx, lineCount, lineHeightPx);
  const currentLine = current >= 0 ? matches[current] : undefined;
  const rows: ReactNode[] = [];
  for (let i = win.first; i < win.end; i++) {
    const { spans } = parseAnsi(model.line(i), model.styleAt(i));
    const classes = ['log-line'];
    if (i === targetLine) classes.push('is-target');
    if (i === currentLine) classes.push('is-match');
    rows.push(
      <div key={i} className={classes.join(' ')} data-line={i + 1}>
        <a
          className="ln"
          href={`${window.location.pathname}${window.location.search}#L${i + 1}`}
          onClick={(event) => {
            event.preventDefault();
            setHash(`L${i + 1}`);
          }}
          aria-label={`Line ${i + 1}`}
        >
          {i + 1}
        </a>
        <span className="lt">
          <LineText spans={spans} query={needle} />
        </span>
      </div>,
    );
  }

  const matchText = needle
    ? matches.length === 0
      ? 'no matches'
      : `${current >= 0 ? current + 1 : 0} of ${matches.length.toLocaleString()}`
    : '';

  return (
    <div className="log">
      <div className="log-toolbar">
        <form onSubmit={onSearch} className="log-search" aria-label="Log search">
          <label htmlFor="log-search" className="visually-hidden">
            Search the log
          </label>
          <input
            id="log-search"
            type="search"
            placeholder="Search the log"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(-1);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && e.shiftKey) {
                e.preventDefault();
                goToMatch(current - 1);
              }
            }}
          />
          <button
            type="button"
            className="button subtle"
            onClick={() => goToMatch(current - 1)}
            disabled={matches.length === 0}
            aria-label="Previous match"
          >
            ↑
          </button>
          <button
            type="submit"
            className="button subtle"
            disabled={!needle}
            aria-label="Next match"
          >
            ↓
          </button>
          <span className="muted match-count" aria-live="polite">
            {matchText}
          </span>
        </form>
        <div className="log-tools">
          <button
            type="button"
            className="button subtle"
            aria-pressed={follow}
            onClick={() => setFollow((f) => !f)}
          >
            Follow {follow ? 'on' : 'off'}
          </button>
          <button
            type="button"
            className="button subtle"
            onClick={() => scrollTo(0)}
            title="Go to the first line"
          >
            Top
          </button>
          <a
            className="button subtle"
            href={appUrl(`api/v1/jobs/${encodeURIComponent(jobId)}/log`)}
            download={`${jobName}.log`}
          >
            Download raw
          </a>
        </div>
      </div>
      <section
        ref={viewport}
        className="log-viewport"
        onScroll={onScroll}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scrollable log must be reachable by keyboard
        tabIndex={0}
        aria-label={`Log of ${jobName}`}
        // Short logs get a short box (up to the CSS maximum), plus room for a scrollbar.
        style={{ height: Math.max(240, win.contentPx + 24) }}
        data-state={state}
        data-lines={lineCount}
      >
        <div className="log-content" style={{ height: win.contentPx }}>
          <div className="log-rows" style={{ transform: `translateY(${win.topPx}px)` }}>
            {rows}
          </div>
        </div>
        {lineCount === 0 && state !== 'error' && (
          <p className="log-empty">
            {state === 'complete' ? 'This job wrote no output.' : 'Waiting for output…'}
          </p>
        )}
      </section>
      <div className="log-status">
        <output>
          {state === 'streaming' && ended ? 'Loading…' : stateText[state]}
          {state === 'complete' && endStatus ? ` (${endStatus.replace('_', ' ')})` : ''}
        </output>
        <span className="muted">
          {plural(lineCount, 'line')} · {formatBytes(model.chars)}
        </span>
        {state === 'error' && (
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}
