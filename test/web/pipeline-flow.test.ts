import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchDir } from '../services/scratch-dir.js';
import { screenshot, seriousAxeViolations, waitForText } from './browser-check.js';
import {
  type TestAirlock,
  createDemoRepo,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  screenshotDir,
  startAirlock,
} from './web-harness.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/**
 * The operator's path through the UI against a real server with its embedded runner: sign up,
 * register a local project, trigger a pipeline, watch the graph and the log change live,
 * approve the hold, then read insights, runners and admin pages. Every page is checked with
 * axe and photographed.
 */
describe('web UI: from sign-up to insights', { timeout: 240_000 }, () => {
  let airlock: TestAirlock;
  let repo: ScratchDir;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const a11y: Record<string, unknown[]> = {};
  const pageErrors: string[] = [];

  const checkA11y = async (name: string) => {
    a11y[name] = await seriousAxeViolations(page);
    // Usable at 1280 px: nothing makes the page scroll sideways.
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    if (overflow > 0) a11y[`${name}: ${overflow}px wider than the window`] = [overflow];
  };

  beforeAll(async () => {
    ensureWebBuilt();
    airlock = await startAirlock();
    repo = createDemoRepo();
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    shots = screenshotDir();
  });

  afterAll(async () => {
    await browser?.close();
    await airlock?.stop();
    repo?.remove();
  });

  it('signs up the first user as admin', async () => {
    await page.goto(`${airlock.url}/`);
    await page.getByRole('heading', { name: 'Create the admin account' }).waitFor();
    await checkA11y('sign-up');
    await screenshot(page, shots, 'sign-up');
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await waitForText(page, 'No projects yet');
    expect(await page.locator('.whoami').textContent()).toContain('admin');
    await page.locator('.live-indicator.live-live').waitFor();
    await checkA11y('dashboard-empty');
  });

  it('registers a local project', async () => {
    await nav(page).getByRole('link', { name: 'Projects' }).click();
    await page.getByLabel('Name').fill('demo');
    await page.getByLabel('Folder on the server').fill(repo.path);
    await page.getByRole('button', { name: 'Add project' }).click();
    await page.getByRole('heading', { name: 'demo', exact: true }).waitFor();
    await waitForText(page, 'No pipelines yet');
    expect(page.url()).toBe(`${airlock.url}/projects/demo`);
  });

  it('triggers a pipeline and watches its jobs change status live', async () => {
    await page.getByRole('button', { name: 'Trigger pipeline' }).click();
    await page.getByRole('heading', { name: 'demo #1' }).waitFor();
    const build = page.locator('.graph-node[data-job="build"]');
    // No reload from here on: every change arrives over the live event stream.
    await page
      .locator('.graph-node[data-job="build"][data-status="running"]')
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('.graph-node[data-job="deploy"]').getAttribute('data-status')).toBe(
      'blocked',
    );
    await checkA11y('pipeline');
    await screenshot(page, shots, 'pipeline-running');
    await build.getByRole('link', { name: 'build' }).click();
    await page.getByRole('heading', { name: 'build' }).waitFor();
  });

  it('shows log lines as they arrive, with colours, line links and search', async () => {
    const viewport = page.locator('.log-viewport');
    await waitForText(page, 'line 1 of the build');
    // The job prints one line a second: the first is here before the last exists.
    expect(await viewport.getAttribute('data-state')).toBe('streaming');
    expect(await page.getByText('line 6 of the build').count()).toBe(0);
    const linesAtFirst = Number(await viewport.getAttribute('data-lines'));
    await waitForText(page, 'line 6 of the build');
    expect(Number(await viewport.getAttribute('data-lines'))).toBeGreaterThan(linesAtFirst);
    await screenshot(page, shots, 'job-log-live');
    await page.locator('.log-viewport[data-state="complete"]').waitFor({ timeout: 30_000 });
    await waitForText(page, 'Complete (success)');

    expect(await page.locator('.lt .fg-c2', { hasText: 'green' }).count()).toBe(1);
    expect(await page.locator('.lt .fg-c1.b', { hasText: 'bold red' }).count()).toBe(1);

    const steps = page.locator('table.steps tbody tr');
    await steps.nth(1).locator('[data-status="success"]').waitFor();
    expect(await steps.count()).toBe(2);
    expect(await steps.first().textContent()).toContain('Print lines slowly');
    expect(await steps.first().locator('td').nth(3).textContent()).toBe('0');

    await page.getByRole('link', { name: 'Line 3', exact: true }).click();
    expect(new URL(page.url()).hash).toBe('#L3');
    expect(await page.locator('.log-line.is-target').getAttribute('data-line')).toBe('3');

    await page.getByLabel('Search the log').fill('line 4 of');
    await page.getByLabel('Search the log').press('Enter');
    await waitForText(page, '1 of 1');
    expect(await page.locator('.log-line.is-match mark').textContent()).toBe('line 4 of');

    const raw = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await page.getByRole('link', { name: 'Download raw' }).getAttribute('href')) as string,
    );
    expect(raw).toContain('line 6 of the build');
    await checkA11y('job');
    await screenshot(page, shots, 'job');
  });

  it('approves the hold and the workflow finishes', async () => {
    await page.getByRole('link', { name: 'pipeline', exact: true }).click();
    const hold = page.locator('.graph-node[data-job="hold"][data-status="on_hold"]');
    await hold.waitFor({ timeout: 30_000 });
    await screenshot(page, shots, 'pipeline-on-hold');
    await page.getByRole('button', { name: 'Approve hold' }).click();
    await page.locator('.graph-node[data-job="hold"][data-status="success"]').waitFor();
    expect(await page.locator('.graph-node[data-job="hold"]').textContent()).toContain(
      'approved by ada',
    );
    await page.locator('.workflow[data-status="success"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.graph-node[data-job="deploy"]').getAttribute('data-status')).toBe(
      'success',
    );
    await page.getByRole('button', { name: 'Rerun all jobs' }).waitFor();
    await screenshot(page, shots, 'pipeline');
  });

  it('shows the test results and artifacts a job stored', async () => {
    await page.locator('.graph-node[data-job="test"]').getByRole('link', { name: 'test' }).click();
    const summary = page.getByTestId('test-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('2 tests: 1 passed, 1 failed');
    await waitForText(page, 'expected 2, got 3');
    const artifact = page.getByRole('link', { name: 'out/coverage.txt' });
    const href = (await artifact.getAttribute('href')) as string;
    expect(await page.evaluate(async (url) => (await fetch(url)).text(), href)).toBe(
      'coverage: 93%\n',
    );
    await checkA11y('job-tests');
    await screenshot(page, shots, 'job-tests');
    await page.goBack();
    await page.getByRole('button', { name: 'Rerun all jobs' }).waitFor();
  });

  it('shows insights for the project and its workflow', async () => {
    await page.getByRole('link', { name: 'demo' }).first().click();
    await page.getByRole('link', { name: 'Insights' }).click();
    await page.getByText('Median build time', { exact: true }).first().waitFor();
    const stat = (label: string) =>
      page.locator(`.stat[data-stat="${label}"] .stat-value`).textContent();
    expect(await stat('Success rate')).toBe('100%');
    expect(await stat('Median build time')).toMatch(/^\d+s$/);
    expect(await stat('Parallelism')).toMatch(/^[12]$/);
    expect(await page.locator('figure.chart').count()).toBe(5);
    await page.getByLabel('Workflow', { exact: true }).selectOption('build-and-deploy');
    expect(new URL(page.url()).searchParams.get('workflow')).toBe('build-and-deploy');
    await checkA11y('insights');
    await screenshot(page, shots, 'insights');
  });

  it('lists the pipeline on the project page and the dashboard', async () => {
    await page.getByRole('link', { name: 'Pipelines' }).click();
    const row = page.locator('table tbody tr').first();
    await row.locator('[data-status="success"]').first().waitFor();
    expect(await row.textContent()).toContain('main');
    expect(await row.textContent()).toContain('api by ada');
    await checkA11y('project');
    await screenshot(page, shots, 'project');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Name').fill('DEPLOY_KEY');
    await page.getByLabel('Value').fill('s3cret-value');
    await page.getByRole('button', { name: 'Save variable' }).click();
    await waitForText(page, 'Saved DEPLOY_KEY.');
    await page.locator('td', { hasText: 'DEPLOY_KEY' }).waitFor();
    expect(await page.content()).not.toContain('s3cret-value');
    await checkA11y('project-settings');
    await screenshot(page, shots, 'project-settings');
    await nav(page).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'demo pipeline 1' }).waitFor();
    await checkA11y('dashboard');
    await screenshot(page, shots, 'dashboard');
  });

  it('shows the runners and drains one', async () => {
    await nav(page).getByRole('link', { name: 'Runners' }).click();
    const row = page.locator('tr[data-node="embedded"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('ready');
    expect(await row.textContent()).toContain('machine');
    await page.getByRole('button', { name: 'Drain embedded' }).click();
    await row.locator('.tag', { hasText: 'draining' }).waitFor();
    await checkA11y('runners');
    await screenshot(page, shots, 'runners');
  });

  it('says why a queued job waits, and shows it start when the runner takes work again', async () => {
    await nav(page).getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await page.getByRole('button', { name: 'Trigger pipeline' }).click();
    await page.getByRole('heading', { name: 'demo #2' }).waitFor();
    await page.locator('.graph-node[data-job="build"][data-status="queued"]').waitFor();
    await page
      .locator('.graph-node[data-job="build"]')
      .getByRole('link', { name: 'build' })
      .click();
    const reason = page.getByTestId('wait-reason');
    await reason.waitFor();
    expect(await reason.textContent()).toBe('every runner of resource class "medium" is draining');
    await screenshot(page, shots, 'job-queued');
    await nav(page).getByRole('link', { name: 'Runners' }).click();
    await page.getByRole('button', { name: 'Undrain embedded' }).click();
    await page.getByRole('button', { name: 'Drain embedded' }).waitFor();
    await page.goBack();
    await page.locator('.log-viewport').waitFor();
    await waitForText(page, 'line 1 of the build', 30_000);
    await reason.waitFor({ state: 'detached' });
  });

  it('shows clear error states and works from the keyboard', async () => {
    await page.goto(`${airlock.url}/pipelines/no-such-pipeline`);
    await page.getByRole('alert').getByText('Not found').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('no pipeline no-such-pipeline');
    await page.goto(`${airlock.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } })
            .document.activeElement.textContent,
      ),
    ).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document
            .activeElement.id,
      ),
    ).toBe('main');
  });

  it('administers users and tokens', async () => {
    await nav(page).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('button', { name: 'Invite a user' }).click();
    const invite = await page.getByTestId('secret-value').textContent();
    expect(invite).toContain(`${airlock.url}/signup?invitation=`);
    await page.getByLabel('Token name').fill('laptop CLI');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('td', { hasText: 'laptop CLI' }).waitFor();
    const token = await page.getByTestId('secret-value').last().textContent();
    const me = await fetch(`${airlock.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    await page.getByRole('button', { name: 'Create a registration token' }).click();
    await checkA11y('admin');
    await screenshot(page, shots, 'admin');
  });

  it('found no serious accessibility problems and no script errors', () => {
    const serious = Object.entries(a11y).filter(([, v]) => v.length > 0);
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(10);
    expect(pageErrors).toEqual([]);
    expect(existsSync(`${shots}/job.png`)).toBe(true);
  });
});
