/**
 * Scroll arithmetic of the virtual log: which lines are in view for a scroll position, and the
 * scroll position that shows a line. Browsers cap an element's height (Chrome near 33.5 M px,
 * Firefox near 17.9 M px), so above `maxScrollPx` the scroll range is scaled: the scrollbar
 * still spans the whole log, and every line stays reachable.
 */
export const maxScrollPx = 15_000_000;

export interface LogWindow {
  /** Height of the scrollable content. */
  readonly contentPx: number;
  /** First line rendered. */
  readonly first: number;
  /** One past the last line rendered. */
  readonly end: number;
  /** Where the first rendered line is drawn, from the content's top. */
  readonly topPx: number;
}

export function logWindow(
  scrollTop: number,
  viewportPx: number,
  lineCount: number,
  lineHeightPx: number,
  overscan = 10,
): LogWindow {
  const naturalPx = lineCount * lineHeightPx;
  const visible = Math.ceil(viewportPx / lineHeightPx) + 1;
  if (naturalPx <= maxScrollPx) {
    const first = Math.max(0, Math.floor(scrollTop / lineHeightPx) - overscan);
    const end = Math.min(lineCount, Math.floor(scrollTop / lineHeightPx) + visible + overscan);
    return { contentPx: naturalPx, first, end, topPx: first * lineHeightPx };
  }
  const range = maxScrollPx - viewportPx;
  const fraction = range > 0 ? Math.min(1, Math.max(0, scrollTop / range)) : 0;
  const fit = Math.max(1, Math.floor(viewportPx / lineHeightPx));
  const exact = fraction * Math.max(0, lineCount - fit);
  const top = Math.floor(exact);
  const first = Math.max(0, top - overscan);
  const end = Math.min(lineCount, top + visible + overscan);
  // Draw line `top` at the viewport's top edge; the ones before it (overscan) above it.
  const topPx = scrollTop - (top - first) * lineHeightPx - (exact - top) * lineHeightPx;
  return { contentPx: maxScrollPx, first, end, topPx };
}

/** The scrollTop that puts `line` a third of the way down the viewport. */
export function scrollTopFor(
  line: number,
  viewportPx: number,
  lineCount: number,
  lineHeightPx: number,
): number {
  const naturalPx = lineCount * lineHeightPx;
  if (naturalPx <= maxScrollPx)
    return Math.max(0, line * lineHeightPx - Math.floor(viewportPx / 3));
  const fit = Math.max(1, Math.floor(viewportPx / lineHeightPx));
  const lead = Math.floor(viewportPx / 3 / lineHeightPx);
  const target = Math.min(Math.max(0, line - lead), Math.max(0, lineCount - fit));
  return (target / Math.max(1, lineCount - fit)) * (maxScrollPx - viewportPx);
}
