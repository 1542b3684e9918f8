import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import {
  type TestAirlock,
  ensureWebBuilt,
  launchBrowser,
  repoRoot,
  startAirlock,
} from '../test/web/web-harness.js';
import type { Benchmark, Measurement } from './benchmark.js';

/** AIRLOCK_BENCH_LOG_MIB makes a smaller log for a quick try; the recorded numbers use 50. */
const logBytes = Number(process.env.AIRLOCK_BENCH_LOG_MIB ?? 50) * 1024 * 1024;
const chunkBytes = 256 * 1024;
const repetitions = Number(process.env.AIRLOCK_BENCH_REPETITIONS ?? 5);

/** A build log's worth of lines: timestamps, some colour, some long lines. */
function logLine(i: number): string {
  const ts = `2026-03-10T09:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
  if (i % 50 === 0)
    return `${ts} \x1b[1;32m✓\x1b[0m test suite ${i} passed \x1b[2m(${i % 997} ms)\x1b[0m\n`;
  if (i % 97 === 0)
    return `${ts} \x1b[33mwarning\x1b[0m: deprecated API used in src/module-${i}.ts:${i % 300}:${i % 80}\n`;
  if (i % 333 === 0)
    return `${ts} ${'compiling a very long command line with many flags '.repeat(6)}\n`;
  return `${ts} [build] compiling src/components/file-${i}.ts (${i % 4096} bytes)\n`;
}

async function seedJob(airlock: TestAirlock): Promise<{ jobId: string; lines: number }> {
  const { store } = airlock.server.services.deps;
  await store.projects.create({
    id: 'bench-p',
    name: 'bench',
    defaultBranch: 'main',
    createdAtMs: 1,
  });
  await store.pipelines.create({
    id: 'bench-pl',
    projectId: 'bench-p',
    triggerSource: 'api',
    status: 'success',
    createdAtMs: 1,
  });
  await store.workflows.create({
    id: 'bench-w',
    pipelineId: 'bench-pl',
    name: 'build',
    status: 'success',
    createdAtMs: 1,
  });
  await store.jobs.createMany([
    {
      id: 'bench-job',
      workflowId: 'bench-w',
      pipelineId: 'bench-pl',
      projectId: 'bench-p',
      name: 'huge-log',
      jobName: 'huge-log',
      type: 'build',
      status: 'success',
      spec: {},
      resourceClass: 'medium',
      executorKind: 'machine',
      createdAtMs: 1,
      startedAtMs: 2,
      finishedAtMs: 3,
    },
  ]);
  let offset = 0;
  let seq = 0;
  let lines = 0;
  let chunk = '';
  while (offset < logBytes) {
    chunk += logLine(lines++);
    if (chunk.length >= chunkBytes) {
      await store.logs.append({
        jobId: 'bench-job',
        seq: seq++,
        offset,
        data: chunk,
        createdAtMs: 4,
      });
      offset += Buffer.byteLength(chunk);
      chunk = '';
    }
  }
  if (chunk)
    await store.logs.append({
      jobId: 'bench-job',
      seq: seq++,
      offset,
      data: chunk,
      createdAtMs: 4,
    });
  return { jobId: 'bench-job', lines };
}

/** Marks, relative to navigation start, when the first lines show and when all have arrived. */
const probe = `(() => {
  const marks = (window.__logMarks = {});
  const check = () => {
    const v = document.querySelector('.log-viewport');
    if (!v) return;
    if (marks.first === undefined && v.querySelector('.log-line')) marks.first = performance.now();
    if (marks.complete === undefined && v.getAttribute('data-state') === 'complete') marks.complete = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-lines'] });
})();`;

async function loadOnce(
  browser: Browser,
  url: string,
  cookie: { name: string; value: string },
  expectedLines: number,
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addCookies([{ ...cookie, url: new URL(url).origin }]);
    await context.addInitScript(probe);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { __logMarks: { complete?: number } }).__logMarks.complete !==
        undefined,
      undefined,
      {
        timeout: 180_000,
        polling: 100,
      },
    );
    const marks = await page.evaluate(
      () =>
        (globalThis as unknown as { __logMarks: { first: number; complete: number } }).__logMarks,
    );
    const lines = Number(await page.locator('.log-viewport').getAttribute('data-lines'));
    if (lines !== expectedLines)
      throw new Error(`the viewer shows ${lines} lines, the log has ${expectedLines}`);
    // Fully scrollable: the end of the log renders after one jump.
    const start = Date.now();
    await page.locator('.log-viewport').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator(`.log-line[data-line="${expectedLines}"]`).waitFor({ timeout: 10_000 });
    const scrollEndMs = Date.now() - start;
    const heapMb = await page.evaluate(
      () =>
        ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
          ?.usedJSHeapSize ?? 0) /
        2 ** 20,
    );
    return { firstMs: marks.first, completeMs: marks.complete, scrollEndMs, heapMb };
  } finally {
    await context.close();
  }
}

function bundleSizes(): { jsKb: number; jsGzipKb: number; cssKb: number; files: string[] } {
  const dir = join(repoRoot, 'web', 'dist', 'assets');
  const files = readdirSync(dir);
  let js = 0;
  let jsGzip = 0;
  let css = 0;
  for (const f of files) {
    const body = readFileSync(join(dir, f));
    if (f.endsWith('.js')) {
      js += body.length;
      jsGzip += gzipSync(body).length;
    } else if (f.endsWith('.css')) css += body.length;
  }
  return { jsKb: js / 1024, jsGzipKb: jsGzip / 1024, cssKb: css / 1024, files };
}

export const benchmark: Benchmark = {
  name: 'Web UI: job page with a 50 MB log, and the bundle size',
  what: 'Opens the job page of a finished job whose log is 50 MiB (≈600,000 lines, some with ANSI colours) in Debian Chromium (headless, fresh profile each time, 1280×800), against a real server on SQLite. Time to first lines: navigation start until the first log line is on screen. Time to fully scrollable: until every line has arrived (the scrollbar spans the whole log). Then one jump to the end, until the last line is drawn. The bundle is what `vite build` writes to web/dist/assets.',
  async run() {
    ensureWebBuilt();
    const airlock = await startAirlock();
    const browser = await launchBrowser();
    try {
      const { services } = airlock.server;
      await services.auth.signup({ username: 'bench', password: 'bench-password' });
      const { session } = await services.auth.login('bench', 'bench-password');
      const { jobId, lines } = await seedJob(airlock);
      const url = `${airlock.url}/jobs/${jobId}`;
      const first: number[] = [];
      const complete: number[] = [];
      const scrollEnd: number[] = [];
      const heap: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        const r = await loadOnce(browser, url, { name: 'airlock_session', value: session }, lines);
        first.push(r.firstMs);
        complete.push(r.completeMs);
        scrollEnd.push(r.scrollEndMs);
        heap.push(r.heapMb);
      }
      const size = bundleSizes();
      const sizeNote = [`files: ${size.files.join(', ')}`];
      const results: Record<string, Measurement> = {
        'time to first lines': {
          unit: 'ms',
          samples: first,
          better: 'lower',
          target: 1000,
          notes: [`${lines.toLocaleString('en')} lines, ${logBytes / 2 ** 20} MiB`],
        },
        'time to fully scrollable': {
          unit: 'ms',
          samples: complete,
          better: 'lower',
          target: 10_000,
        },
        'jump to the last line': { unit: 'ms', samples: scrollEnd, better: 'lower', target: 250 },
        'JS heap after load': { unit: 'MiB', samples: heap, better: 'lower' },
        'JavaScript bundle': {
          unit: 'KiB',
          samples: [size.jsKb],
          better: 'lower',
          target: 350,
          notes: sizeNote,
        },
        'JavaScript bundle, gzip': {
          unit: 'KiB',
          samples: [size.jsGzipKb],
          better: 'lower',
          target: 110,
        },
        'CSS bundle': { unit: 'KiB', samples: [size.cssKb], better: 'lower' },
      };
      return results;
    } finally {
      await browser.close();
      await airlock.stop();
    }
  },
};
