import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { LogCapture, startLdapServer } from '../server/ldap-harness.js';
import { type SlapdService, startSlapd } from '../services/slapd.js';
import { ensureWebBuilt, launchBrowser, newPage } from './web-harness.js';

/** The web UI of a server where users sign in with their directory account only. */
describe('web UI with LDAP sign-in', { timeout: 180_000 }, () => {
  let slapd: SlapdService;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    slapd = await startSlapd();
    server = await startLdapServer(slapd, new LogCapture(), {
      ldapRequiredGroup: 'airlock-users',
      ldapAdminGroup: 'airlock-admins',
    });
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await slapd?.stop();
  });

  it('offers sign-in with the directory account and no sign-up, even with no users yet', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Sign in with your directory (LDAP) username').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Sign up' }).count()).toBe(0);
    expect(await page.getByText('Create the admin account').count()).toBe(0);
  });

  it('shows why carol is refused, then signs alice in as an admin', async () => {
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carol-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('not a member of airlock-users').waitFor();

    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('lists directory users as signing in with LDAP, with their display name', async () => {
    await page.goto(`${server.url}/admin`);
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: /alice/ });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/alice\s*\(Alice Adams\)[\s\S]*LDAP[\s\S]*admin/);
  });
});
