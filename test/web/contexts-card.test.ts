import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextView } from '../../src/protocol/contexts-api.js';
import { seriousAxeViolations } from './browser-check.js';
import { type TestAirlock, ensureWebBuilt, launchBrowser, startAirlock } from './web-harness.js';

const secretValue = 'sk-live-0123456789abcdef';

/** Contexts in the admin section: create, set and remove variables, delete; values never shown. */
describe('web UI: contexts in the admin section', { timeout: 180_000 }, () => {
  let airlock: TestAirlock;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    airlock = await startAirlock();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await airlock?.stop();
  });

  const contexts = async (): Promise<ContextView[]> => airlock.server.services.contexts.list();

  it('creates a context, sets a variable without ever showing its value, removes it and deletes the context', async () => {
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

    const card = page.getByRole('region', { name: 'Contexts' });
    await card.getByText('No contexts').waitFor();
    // A bad name gets the server's message, and nothing is created.
    await card.getByLabel('Context name').fill('bad name!');
    await card.getByRole('button', { name: 'Create context' }).click();
    await card.getByRole('alert').waitFor();
    expect(await card.getByRole('alert').textContent()).toMatch(/context name/);
    expect(await contexts()).toEqual([]);

    await card.getByLabel('Context name').fill('aws-prod');
    await card.getByRole('button', { name: 'Create context' }).click();
    const item = card.getByRole('article', { name: 'Context aws-prod' });
    await item.getByText('No variables yet.').waitFor();

    const form = item.getByRole('form', { name: 'Set a variable of aws-prod' });
    await form.getByLabel('Variable').fill('AWS_SECRET_ACCESS_KEY');
    await form.getByLabel('Value').fill(secretValue);
    await form.getByRole('button', { name: 'Set variable' }).click();
    await item.getByRole('cell', { name: 'AWS_SECRET_ACCESS_KEY', exact: true }).waitFor();
    expect((await contexts())[0]?.variables.map((v) => v.name)).toEqual(['AWS_SECRET_ACCESS_KEY']);
    // The value is nowhere on the page, not even in the emptied field.
    expect(await page.content()).not.toContain(secretValue);
    expect(await form.getByLabel('Value').inputValue()).toBe('');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await item.getByRole('button', { name: 'Remove AWS_SECRET_ACCESS_KEY from aws-prod' }).click();
    await item.getByText('No variables yet.').waitFor();
    expect((await contexts())[0]?.variables).toEqual([]);

    await item.getByRole('button', { name: 'Delete context aws-prod' }).click();
    await card.getByText('No contexts').waitFor();
    expect(await contexts()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
