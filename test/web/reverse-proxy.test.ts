import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../services/free-port.js';
import { type NginxService, startNginx } from '../services/nginx.js';
import type { ScratchDir } from '../services/scratch-dir.js';
import { waitForText } from './browser-check.js';
import {
  type TestAirlock,
  createDemoRepo,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  startAirlock,
} from './web-harness.js';

/**
 * The UI behind nginx at /ci/ (the proxy strips the prefix, buffers responses by default):
 * assets, API calls, deep links, the session cookie and both live streams work there.
 */
describe('web UI behind a reverse proxy at /ci/', { timeout: 180_000 }, () => {
  let nginx: NginxService;
  let airlock: TestAirlock;
  let repo: ScratchDir;
  let browser: Browser;
  let page: Page;
  let ui: string;

  beforeAll(async () => {
    ensureWebBuilt();
    const port = await findFreePort();
    nginx = await startNginx({ upstream: `http://127.0.0.1:${port}/`, locationPrefix: '/ci/' });
    ui = `${nginx.url}/ci/`;
    airlock = await startAirlock({ port, publicUrl: ui });
    repo = createDemoRepo();
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await airlock?.stop();
    await nginx?.stop();
    repo?.remove();
  });

  it('loads the UI and its assets under the prefix', async () => {
    const failed: string[] = [];
    page.on('response', (r) => {
      // Not signed in yet: the UI's first question, GET api/v1/me, is answered 401.
      if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/ci/api/v1/me'))) {
        failed.push(`${r.status()} ${r.url()}`);
      }
    });
    await page.goto(ui);
    await page.getByRole('heading', { name: 'Create the admin account' }).waitFor();
    expect(await page.locator('base').getAttribute('href')).toBe('/ci/');
    const scripts = await page
      .locator('script[src]')
      .evaluateAll((els) => els.map((e) => (e as unknown as { src: string }).src));
    expect(scripts.every((src) => src.startsWith(`${nginx.url}/ci/assets/`))).toBe(true);
    expect(failed).toEqual([]);
  });

  it('signs up with a session cookie scoped to the prefix', async () => {
    await page.getByLabel('Username').fill('grace');
    await page.getByLabel('Password', { exact: true }).fill('hopper-hopper');
    await page.getByLabel('Repeat password').fill('hopper-hopper');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('.live-indicator.live-live').waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'airlock_session')?.path).toBe('/ci/');
  });

  it('runs a pipeline and streams its log live through the proxy', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Projects' })
      .click();
    expect(page.url()).toBe(`${ui}projects`);
    await page.getByLabel('Name').fill('proxied');
    await page.getByLabel('Folder on the server').fill(repo.path);
    await page.getByRole('button', { name: 'Add project' }).click();
    await page.getByRole('button', { name: 'Trigger pipeline' }).click();
    await page
      .locator('.graph-node[data-job="build"][data-status="running"]')
      .waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(new RegExp(`^${ui}pipelines/`));
    await page
      .locator('.graph-node[data-job="build"]')
      .getByRole('link', { name: 'build' })
      .click();
    await waitForText(page, 'line 1 of the build');
    // Live, not buffered by nginx until the end: the last line is not there yet.
    expect(await page.getByText('line 6 of the build').count()).toBe(0);
    await waitForText(page, 'line 6 of the build');
    await page.locator('.log-viewport[data-state="complete"]').waitFor({ timeout: 30_000 });
  });

  it('reloads a deep link under the prefix', async () => {
    const jobUrl = page.url();
    expect(jobUrl).toMatch(new RegExp(`^${ui}jobs/`));
    await page.reload();
    await page.getByRole('heading', { name: 'build' }).waitFor();
    await waitForText(page, 'Complete (success)');
    await page.getByRole('link', { name: 'Line 2', exact: true }).click();
    expect(page.url()).toBe(`${jobUrl}#L2`);
  });
});
