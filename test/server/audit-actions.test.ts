import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditActions } from '../../src/protocol/audit-api.js';

const root = join(import.meta.dirname, '../..');
const servicesDir = join(root, 'src/server/services');
const services = readdirSync(servicesDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(servicesDir, f), 'utf8'))
  .join('\n');
const docs = readFileSync(join(root, 'docs/server.md'), 'utf8');

describe('audit actions', () => {
  const actions = Object.keys(auditActions);

  it('are lowercase words separated by dots, the entity first', () => {
    for (const action of actions) expect(action).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
  });

  it("cover the operations guide's list", () => {
    expect(actions).toEqual(
      expect.arrayContaining([
        'context.create',
        'context.delete',
        'context.env_var.delete',
        'context.env_var.store',
        'project.env_var.create',
        'project.env_var.delete',
        'project.settings.update',
        'user.create',
        'user.logged_in',
        'user.logged_out',
        'workflow.job.approve',
        'workflow.job.finish',
        'workflow.job.scheduled',
        'workflow.job.start',
      ]),
    );
  });

  it('are each recorded by a service and documented in docs/server.md', () => {
    const recorded = (action: string) =>
      services.includes(`'${action}'`) ||
      // Recorded through a conditional: `drain ? 'runner.drain.enable' : 'runner.drain.disable'`.
      new RegExp(`\\?\\s*'[^']+'\\s*:\\s*'${action.replaceAll('.', '\\.')}'`).test(services);
    expect(actions.filter((a) => !recorded(a))).toEqual([]);
    expect(actions.filter((a) => !docs.includes(`\`${a}\``))).toEqual([]);
  });
});
