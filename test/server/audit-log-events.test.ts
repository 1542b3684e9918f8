import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../src/protocol/audit-api.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import {
  type AuditTestServer,
  parameterizedConfig,
  secrets,
  startAuditTestServer,
  trickyName,
} from './audit-test-server.js';

describe('audit log: events recorded for real API calls (real server over HTTP, SQLite)', () => {
  let t: AuditTestServer;
  let admin: Record<string, string>;
  let dev: Record<string, string>;
  let issued: string[];
  const call: AuditTestServer['call'] = (...args) => t.call(...args);
  const login: AuditTestServer['login'] = (...args) => t.login(...args);
  const allEvents: AuditTestServer['allEvents'] = (...args) => t.allEvents(...args);
  const lastEvent: AuditTestServer['lastEvent'] = (...args) => t.lastEvent(...args);

  beforeAll(async () => {
    t = await startAuditTestServer('audit-log-events-test');
    ({ admin, dev, issued } = t);
  });

  afterAll(async () => {
    await t?.server.stop();
  });

  it('records sign-ups with the client address from X-Forwarded-For behind a trusted proxy', async () => {
    const events = await allEvents('&action=user.create');
    expect(events.map((e) => e.target.name)).toEqual(['root', 'dev']);
    const [root, devUser] = events as [AuditEventView, AuditEventView];
    expect(root).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { type: 'user', name: 'root' },
      payload: { is_admin: true, invited_by: null },
      success: true,
      version: 1,
      scope: null,
      request: { ip_address: '198.51.100.4' },
    });
    expect(root.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(devUser.payload).toEqual({ is_admin: false, invited_by: root.actor.id });
    expect(devUser.request?.ip_address).toBe('127.0.0.1');
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('records sign-ins, refused ones (success=false, never the password) and sign-outs', async () => {
    const before = Date.now();
    expect((await login('ghost', 'whatever-password')).status).toBe(401);
    expect((await login('root', 'wrong-password-x')).status).toBe(401);
    const session = await login('dev', secrets.devPassword, {
      'x-client-trace-id': 'trace-login-1',
      'x-request-id': 'req-login-1',
    });
    expect(session.status).toBe(200);
    const out = await call('POST', '/api/v1/auth/logout', {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      'x-request-id': 'req-logout-1',
    });
    expect(out.status).toBe(200);

    const since = new Date(before - 1).toISOString();
    const logins = await allEvents(`&action=user.logged_in&since=${since}`);
    expect(logins.map((e) => [e.actor.type, e.actor.name, e.success, e.payload.reason])).toEqual([
      ['anonymous', 'ghost', false, 'unknown_user'],
      ['user', 'root', false, 'wrong_password'],
      ['user', 'dev', true, undefined],
    ]);
    expect(logins[2]?.request).toEqual({
      id: 'req-login-1',
      ip_address: '127.0.0.1',
      client_trace_id: 'trace-login-1',
    });
    expect(logins[2]?.metadata).toMatchObject({ auth: 'password', user_agent: 'node' });
    const logout = await lastEvent('user.logged_out');
    expect(logout).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { type: 'user', name: 'dev' },
      request: { id: 'req-logout-1' },
    });
    expect(JSON.stringify(logins)).not.toContain('wrong-password-x');
  });

  it('uses the request id the server logs when the client sends none', async () => {
    const r = await call('POST', '/api/v1/contexts', admin, { name: 'logged-id' });
    expect(r.status).toBe(201);
    const event = await lastEvent('context.create');
    expect(event.target.name).toBe('logged-id');
    expect(event.request?.id).toBe(t.loggedRequestId('POST', '/api/v1/contexts'));
    expect(event.request?.id).toMatch(/^[0-9a-z]{26}$/);
    expect(event.metadata).toMatchObject({ auth: 'token' });
  });

  it('records tokens, invitations and admin rights with who did it', async () => {
    const session = await login('root', secrets.rootPassword);
    const cookie = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
    const created = await call('POST', '/api/v1/tokens', cookie, { name: trickyName });
    expect(created.status).toBe(201);
    const token = created.json<{ id: string; token: string }>();
    issued.push(token.token);
    expect(await lastEvent('user.api_token.create')).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { id: token.id, type: 'api_token', name: trickyName },
      metadata: { auth: 'session' },
    });
    expect((await call('DELETE', `/api/v1/tokens/${token.id}`, cookie)).status).toBe(200);
    expect(await lastEvent('user.api_token.delete')).toMatchObject({
      target: { id: token.id, name: trickyName },
    });

    const invitation = await call('POST', '/api/v1/invitations', admin, {});
    issued.push(invitation.json<{ token: string }>().token);
    expect(await lastEvent('invitation.create')).toMatchObject({
      actor: { name: 'root' },
      target: { id: invitation.json<{ id: string }>().id, type: 'invitation' },
    });

    const devId = (await lastEvent('user.logged_out')).actor.id;
    await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: true });
    await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: false });
    expect(await lastEvent('user.admin.grant')).toMatchObject({
      actor: { name: 'root' },
      target: { id: devId, name: 'dev' },
      payload: { was_admin: false },
    });
    expect(await lastEvent('user.admin.revoke')).toMatchObject({ payload: { was_admin: true } });
  });

  it('records runner registration tokens, registrations (refused ones too) and drains', async () => {
    const reg = await call('POST', '/api/v1/runner-tokens', admin, {});
    const registration = reg.json<{ id: string; token: string }>();
    issued.push(registration.token);
    expect(await lastEvent('runner.registration_token.create')).toMatchObject({
      actor: { name: 'root' },
      target: { id: registration.id, type: 'registration_token' },
    });
    const runnerInfo = {
      name: 'builder-7',
      hostname: 'build-host',
      resourceClasses: ['medium'],
      executors: ['machine'],
      capacity: 2,
      version: 'test',
    };
    const bad = await call(
      'POST',
      '/api/runner/v1/register',
      { 'x-forwarded-for': '203.0.113.66' },
      { ...runnerInfo, registrationToken: 'alk_reg_not-a-real-token' },
    );
    expect(bad.status).toBe(401);
    expect(await lastEvent('runner.register')).toMatchObject({
      actor: { type: 'anonymous', name: 'builder-7' },
      success: false,
      payload: { reason: 'unknown_token', hostname: 'build-host' },
      request: { ip_address: '203.0.113.66' },
    });
    const good = await call(
      'POST',
      '/api/runner/v1/register',
      {},
      { ...runnerInfo, registrationToken: registration.token },
    );
    const { runnerId, token: runnerToken } = good.json<{ runnerId: string; token: string }>();
    issued.push(runnerToken);
    expect(await lastEvent('runner.register')).toMatchObject({
      actor: { id: runnerId, type: 'runner', name: 'builder-7' },
      target: { id: runnerId, type: 'runner', name: 'builder-7' },
      success: true,
      payload: { registration_token_id: registration.id, capacity: 2 },
    });

    await call('POST', `/api/v1/nodes/${runnerId}/drain`, admin, { drain: true });
    expect(await lastEvent('runner.drain.enable')).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { id: runnerId, name: 'builder-7' },
      payload: { was_draining: false },
    });
    // The runner lifts its own drain: the runner is the actor.
    await call(
      'POST',
      '/api/runner/v1/drain',
      { authorization: `Bearer ${runnerToken}` },
      {
        drain: false,
      },
    );
    expect(await lastEvent('runner.drain.disable')).toMatchObject({
      actor: { id: runnerId, type: 'runner', name: 'builder-7' },
      payload: { was_draining: true },
    });
  });

  it('records projects, their settings and variables by name (never a value, never URL credentials)', async () => {
    const remote = await call('POST', '/api/v1/projects', admin, {
      name: 'remote',
      gitUrl: `https://ci-bot:${secrets.gitToken}@git.example.test/org/remote.git`,
    });
    expect(remote.status).toBe(201);
    const created = await lastEvent('project.create');
    expect(created).toMatchObject({
      actor: { name: 'root' },
      target: { type: 'project', name: 'remote' },
      scope: { type: 'project', name: 'remote' },
      payload: { git_url: 'https://***:***@git.example.test/org/remote.git' },
    });

    const repo = await makeRepo({
      '.circleci/config.yml': parameterizedConfig,
    });
    await call('POST', '/api/v1/projects', dev, { name: 'web', localPath: repo });
    expect(
      (
        await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, {
          value: secrets.projectVar,
        })
      ).status,
    ).toBe(204);
    expect(await lastEvent('project.env_var.create')).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { type: 'project', name: 'web' },
      payload: { name: 'DEPLOY_TOKEN' },
    });
    expect((await call('DELETE', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev)).status).toBe(204);
    expect(await lastEvent('project.env_var.delete')).toMatchObject({
      payload: { name: 'DEPLOY_TOKEN' },
    });
    await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, { value: secrets.projectVar });

    const patched = await call('PATCH', '/api/v1/projects/web', dev, {
      defaultBranch: 'trunk',
      configPath: '.circleci/config.yml',
    });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ defaultBranch: 'trunk' });
    expect(await lastEvent('project.settings.update')).toMatchObject({
      actor: { name: 'dev' },
      target: { type: 'project', name: 'web' },
      payload: { changed: { default_branch: { from: 'main', to: 'trunk' } } },
    });
    expect((await call('PATCH', '/api/v1/projects/web', dev, {})).status).toBe(400);
    await call('PATCH', '/api/v1/projects/web', dev, { defaultBranch: 'main' });

    const pipeline = await call('POST', '/api/v1/projects/web/pipelines', dev, {
      parameters: { secret_param: 'param-value-not-kept' },
    });
    expect(pipeline.status).toBe(201);
    expect(pipeline.json(), pipeline.text).toMatchObject({ status: 'running' });
    const { id: pipelineId, number } = pipeline.json<{ id: string; number: number }>();
    expect(await lastEvent('pipeline.trigger')).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { id: pipelineId, type: 'pipeline', name: `web#${number}` },
      scope: { type: 'project', name: 'web' },
      payload: { source: 'api', branch: 'main', parameters: ['secret_param'] },
    });
    // No runner here: the build job waits queued, scheduled by the system.
    expect(await lastEvent('workflow.job.scheduled')).toMatchObject({
      actor: { id: 'system', type: 'system' },
      target: { type: 'job', name: 'build' },
      scope: { name: 'web' },
      request: null,
      payload: { pipeline_id: pipelineId },
    });
    await call('POST', `/api/v1/pipelines/${pipelineId}/cancel`, dev, {});
    expect(await lastEvent('pipeline.cancel')).toMatchObject({
      actor: { name: 'dev' },
      target: { id: pipelineId, type: 'pipeline' },
      payload: { workflows: ['main'] },
    });
  });

  it('records contexts and their variables by name, never a value', async () => {
    await call('POST', '/api/v1/contexts', admin, { name: 'aws' });
    await call('PUT', '/api/v1/contexts/aws/env/AWS_SECRET', admin, { value: secrets.contextVar });
    await call('PUT', '/api/v1/contexts/aws/env/REGION', admin, { value: 'eu-west-1' });
    await call('DELETE', '/api/v1/contexts/aws/env/REGION', admin);
    await call('DELETE', '/api/v1/contexts/aws', admin);
    const events = await allEvents('&action=context&target=aws');
    expect(events.map((e) => [e.action, e.payload])).toEqual([
      ['context.create', {}],
      ['context.env_var.store', { name: 'AWS_SECRET' }],
      ['context.env_var.store', { name: 'REGION' }],
      ['context.env_var.delete', { name: 'REGION' }],
      ['context.delete', { variables: ['AWS_SECRET'] }],
    ]);
    for (const e of events) expect(e.actor).toMatchObject({ type: 'user', name: 'root' });
    // A refused write (not an admin) changes nothing and records nothing.
    expect((await call('POST', '/api/v1/contexts', dev, { name: 'sneaky' })).status).toBe(403);
    expect(await allEvents('&target=sneaky')).toEqual([]);
  });
});
