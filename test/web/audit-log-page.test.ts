import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCsvColumns } from '../../src/protocol/audit-api.js';
import { seriousAxeViolations, waitForText } from './browser-check.js';
import { type TestAirlock, ensureWebBuilt, launchBrowser, startAirlock } from './web-harness.js';

/** The Audit Log of the admin section: the newest events, a filter, and the CSV download. */
describe('web UI: the audit log in the admin section', { timeout: 180_000 }, () => {
  let airlock: TestAirlock;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    airlock = await startAirlock();
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A refused sign-in first: the log shows it as refused.
    await fetch(`${airlock.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'mallory', password: 'guess-guess' }),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await airlock?.stop();
  });

  it('shows the newest events to an admin, filters them, and downloads CSV', async () => {
    await page.goto(`${airlock.url}/`);
    await page.getByRole('heading', { name: 'Create the admin account' }).waitFor();
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    const card = page.getByRole('region', { name: 'Audit log' });
    await card.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = card.getByRole('table', { name: 'Newest audit events' });
    await waitForText(page, 'user.create');
    expect(await table.textContent()).toContain('ada');
    expect(await table.textContent()).toContain('mallory');
    expect(await table.textContent()).toContain('refused');

    await card.getByLabel('Action starts with').fill('user.create');
    await expect
      .poll(async () => (await table.locator('tbody tr').allTextContents()).join('|'), {
        timeout: 15_000,
      })
      .not.toContain('mallory');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^airlock-audit-log-.*\.csv$/);
    const text = readFileSync((await download.path()) as string, 'utf8');
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual([...auditCsvColumns]);
    expect(rows.map((r) => r[0])).toEqual(
      expect.arrayContaining(['user.create', 'user.logged_in']),
    );

    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
