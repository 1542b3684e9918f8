import { describe, expect, it } from 'vitest';
import { groupStatus, layoutGraph } from '../../web/src/graph/layout.js';
import { afterCarriageReturn, parseAnsi, plainStyle, stripAnsi } from '../../web/src/log/ansi.js';
import { LogModel } from '../../web/src/log/log-model.js';
import { logWindow, maxScrollPx, scrollTopFor } from '../../web/src/log/log-window.js';

describe('parseAnsi', () => {
  it('splits a line into styled spans', () => {
    const { spans, end } = parseAnsi('plain \x1b[1;31mbold red\x1b[0m done');
    expect(spans.map((s) => [s.text, s.style.fg, s.style.bold])).toEqual([
      ['plain ', null, false],
      ['bold red', 'c1', true],
      [' done', null, false],
    ]);
    expect(end).toEqual(plainStyle);
  });

  it('reads bright, 256-colour and true-colour codes and resets them one by one', () => {
    const bright = parseAnsi('\x1b[92mx').spans[0]?.style;
    expect(bright?.fg).toBe('c10');
    expect(parseAnsi('\x1b[38;5;196mx').spans[0]?.style.fg).toBe('#ff0000');
    expect(parseAnsi('\x1b[38;5;244mx').spans[0]?.style.fg).toBe('#808080');
    expect(parseAnsi('\x1b[48;2;1;2;3mx').spans[0]?.style.bg).toBe('#010203');
    expect(parseAnsi('\x1b[1;4;31mx\x1b[22;39my').spans[1]?.style).toEqual({
      ...plainStyle,
      underline: true,
    });
  });

  it('drops other escape sequences (cursor moves, erase, OSC titles and links)', () => {
    expect(
      stripAnsi(
        '\x1b[2K\x1b[1Gprogress \x1b]0;title\x07done \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\',
      ),
    ).toBe('progress done link');
  });

  it('shows what a terminal shows after carriage returns', () => {
    expect(afterCarriageReturn('10%\r50%\r100%')).toBe('100%');
    expect(afterCarriageReturn('windows line\r')).toBe('windows line');
    expect(parseAnsi('a\rb').spans.map((s) => s.text)).toEqual(['b']);
  });

  it('carries a style that the line leaves open', () => {
    const first = parseAnsi('\x1b[32mgreen starts');
    expect(first.end.fg).toBe('c2');
    expect(parseAnsi('still green', first.end).spans[0]?.style.fg).toBe('c2');
  });
});

describe('LogModel', () => {
  it('joins lines split across chunks and keeps an open last line', () => {
    const log = new LogModel();
    log.append('one\ntw');
    expect(log.lineCount).toBe(2);
    log.append('o\nthree');
    log.append('\n');
    expect([0, 1, 2].map((i) => log.line(i))).toEqual(['one', 'two', 'three']);
    expect(log.lineCount).toBe(3);
    log.append('\n');
    expect(log.lineCount).toBe(4);
    expect(log.line(3)).toBe('');
    expect(log.chars).toBe(15);
  });

  it('knows the style at the start of every line from earlier lines', () => {
    const log = new LogModel();
    log.append('a\n\x1b[31mred from here\nstill red\nmore\x1b[0m reset\nplain\n');
    expect(log.styleAt(0).fg).toBeNull();
    expect(log.styleAt(1).fg).toBeNull();
    expect(log.styleAt(2).fg).toBe('c1');
    expect(log.styleAt(3).fg).toBe('c1');
    expect(log.styleAt(4).fg).toBeNull();
  });

  it('searches shown text, case-insensitively, and stops at the limit', () => {
    const log = new LogModel();
    log.append('Error one\nfine\n\x1b[31mERR\x1b[0mOR two\nerror three\n');
    expect(log.search('error')).toEqual([0, 2, 3]);
    expect(log.search('error', 2)).toEqual([0, 2]);
    expect(log.search('')).toEqual([]);
  });

  it('takes a million lines', () => {
    const log = new LogModel();
    const chunk = 'a line of a build log that is about fifty bytes..\n'.repeat(10_000);
    for (let i = 0; i < 100; i++) log.append(chunk);
    expect(log.lineCount).toBe(1_000_000);
    expect(log.line(999_999)).toContain('fifty bytes');
  });
});

describe('logWindow and scrollTopFor', () => {
  const lh = 18;

  it('renders only the lines in view plus some overscan', () => {
    const w = logWindow(18_000, 540, 100_000, lh, 10);
    expect(w.contentPx).toBe(1_800_000);
    expect(w.first).toBe(990);
    expect(w.end).toBe(1000 + 31 + 10);
    expect(w.topPx).toBe(990 * lh);
  });

  it('scales the scroll range of logs taller than browsers allow, keeping every line reachable', () => {
    const lines = 5_000_000;
    const top = logWindow(0, 540, lines, lh, 0);
    expect(top.contentPx).toBe(maxScrollPx);
    expect(top.first).toBe(0);
    const bottom = logWindow(maxScrollPx - 540, 540, lines, lh, 0);
    expect(bottom.end).toBe(lines);
    // The last line sits inside the viewport.
    const lastTop = bottom.topPx + (lines - 1 - bottom.first) * lh - (maxScrollPx - 540);
    expect(lastTop).toBeGreaterThanOrEqual(0);
    expect(lastTop + lh).toBeLessThanOrEqual(540);
    const target = 3_210_987;
    const at = logWindow(scrollTopFor(target, 540, lines, lh), 540, lines, lh, 0);
    expect(target).toBeGreaterThanOrEqual(at.first);
    expect(target).toBeLessThan(at.end);
  });

  it('puts a line a third of the way down the viewport', () => {
    expect(scrollTopFor(1000, 540, 100_000, lh)).toBe(1000 * lh - 180);
    expect(scrollTopFor(2, 540, 100_000, lh)).toBe(0);
  });
});

describe('layoutGraph', () => {
  const job = (name: string, requires: string[] = []) => ({
    name,
    requires: requires.map((r) => ({ name: r })),
  });

  it('places jobs in columns by their longest chain of requires', () => {
    const layout = layoutGraph([
      job('build'),
      job('test'),
      job('lint', ['build']),
      job('hold', ['lint', 'test']),
      job('deploy', ['hold']),
      job('notify', ['build']),
    ]);
    const at = Object.fromEntries(layout.nodes.map((n) => [n.name, [n.column, n.row]]));
    expect(at).toEqual({
      build: [0, 0],
      test: [0, 1],
      lint: [1, 0],
      hold: [2, 0],
      deploy: [3, 0],
      notify: [1, 1],
    });
    expect(layout.columns).toBe(4);
    expect(layout.rows).toBe(2);
    expect(layout.edges).toContainEqual({ from: 'test', to: 'hold' });
  });

  it('groups parallel copies, ignores unknown requires and survives a cycle', () => {
    const layout = layoutGraph([
      job('a', ['b']),
      job('b', ['a']),
      job('c', ['ghost']),
      job('c', ['ghost']),
    ]);
    expect(layout.nodes.find((n) => n.name === 'c')?.jobs).toHaveLength(2);
    expect(layout.nodes.find((n) => n.name === 'c')?.column).toBe(0);
    expect(layout.edges).not.toContainEqual(expect.objectContaining({ from: 'ghost' }));
  });

  it('shows the worst status of parallel copies', () => {
    expect(groupStatus(['success', 'failed', 'running'])).toBe('failed');
    expect(groupStatus(['success', 'running'])).toBe('running');
    expect(groupStatus(['success', 'success'])).toBe('success');
  });
});
