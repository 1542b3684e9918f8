import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchDir } from '../services/scratch-dir.js';
import { waitForText } from './browser-check.js';
import { type CuttableProxy, startCuttableProxy } from './cuttable-proxy.js';
import {
  type TestAirlock,
  createDemoRepo,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  startAirlock,
} from './web-harness.js';

/** Live updates come back after the network drops, without a reload and without duplicates. */
describe('live updates across a network drop', { timeout: 180_000 }, () => {
  let airlock: TestAirlock;
  let proxy: CuttableProxy;
  let repo: ScratchDir;
  let browser: Browser;
  let page: Page;
  let token: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${airlock.url}/api/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.ok, await response.clone().text()).toBe(true);
    return response.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    ensureWebBuilt();
    airlock = await startAirlock();
    proxy = await startCuttableProxy(Number(new URL(airlock.url).port));
    repo = createDemoRepo();
    const { services } = airlock.server;
    const user = await services.auth.signup({ username: 'linus', password: 'password-1' });
    token = (
      await services.auth.createApiToken(
        { userId: user.id, username: user.username, isAdmin: true, via: 'session' },
        'test',
      )
    ).token;
    await api('POST', 'projects', { name: 'net', localPath: repo.path });
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.goto(`${proxy.url}/`);
    await page.getByLabel('Username').fill('linus');
    await page.getByLabel('Password').fill('password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await airlock?.stop();
    repo?.remove();
  });

  it('shows the drop, reconnects, and catches up with what changed meanwhile', async () => {
    await page.locator('.live-indicator.live-live').waitFor();
    await proxy.cut();
    await page.locator('.live-indicator.live-reconnecting').waitFor({ timeout: 15_000 });
    const pipeline = await api('POST', 'projects/net/pipelines', {});
    await proxy.restore();
    await page.locator('.live-indicator.live-live').waitFor({ timeout: 30_000 });
    await page
      .getByRole('link', { name: `net pipeline ${pipeline.number}` })
      .waitFor({ timeout: 15_000 });
  });

  it('resumes a job log after the drop without losing or repeating lines', async () => {
    const pipeline = await api('POST', 'projects/net/pipelines', {});
    let build: { id: string; status: string } | undefined;
    for (let i = 0; i < 100 && build?.status !== 'running'; i++) {
      const detail = (await api('GET', `ui/pipelines/${pipeline.id}`)) as {
        workflows: { jobs: { id: string; name: string; status: string }[] }[];
      };
      build = detail.workflows[0]?.jobs.find((j) => j.name === 'build');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(build?.status).toBe('running');
    await page.goto(`${proxy.url}/jobs/${build?.id}`);
    await waitForText(page, 'line 2 of the build');
    expect(await page.locator('.log-viewport').getAttribute('data-state')).toBe('streaming');
    expect(await page.getByText('line 5 of the build').count()).toBe(0);
    await proxy.cut();
    await page.waitForTimeout(2500);
    await proxy.restore();
    await page.locator('.log-viewport[data-state="complete"]').waitFor({ timeout: 60_000 });
    for (let i = 1; i <= 6; i++) {
      expect(
        await page.getByText(`line ${i} of the build`, { exact: true }).count(),
        `line ${i}`,
      ).toBe(1);
    }
    const text = await (
      await fetch(`${airlock.url}/api/v1/jobs/${build?.id}/log`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    expect(Number(await page.locator('.log-viewport').getAttribute('data-lines'))).toBe(
      text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    );
  });
});
