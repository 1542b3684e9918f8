import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePathOf, injectBase, webRoutes } from './web-routes.js';

const root = mkdtempSync(join(tmpdir(), 'airlock-web-routes-'));
const dist = join(root, 'dist');
const bigScript = `console.log(${JSON.stringify('x'.repeat(5000))});`;

function app(options: { publicUrl?: string; distDir?: string } = {}): FastifyInstance {
  const instance = Fastify();
  instance.get('/api/v1/health', async () => ({ ok: true }));
  instance.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.url}` });
  });
  webRoutes(instance, { distDir: options.distDir ?? dist, publicUrl: options.publicUrl });
  return instance;
}

beforeAll(() => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><html><head><title>x</title><script type="module" src="./assets/app-1a2b.js"></script></head><body></body></html>',
  );
  writeFileSync(join(dist, 'assets', 'app-1a2b.js'), bigScript);
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('basePathOf and injectBase', () => {
  it.each([
    [undefined, '/'],
    ['https://ci.example.com', '/'],
    ['https://ci.example.com/', '/'],
    ['https://example.com/ci', '/ci/'],
    ['https://example.com/ci/', '/ci/'],
    ['https://example.com/tools/ci//', '/tools/ci/'],
  ])('%s → %s', (url, base) => {
    expect(basePathOf(url)).toBe(base);
  });

  it('puts <base> first in <head> and escapes it', () => {
    expect(injectBase('<html><head lang="x"><title>t</title></head></html>', '/ci/')).toBe(
      '<html><head lang="x"><base href="/ci/"><title>t</title></head></html>',
    );
    expect(injectBase('<head></head>', '/a"b/')).toContain('<base href="/a&#34;b/">');
  });
});

describe('webRoutes', () => {
  it('serves index.html for the root and for app paths, with <base>, CSP and no-cache', async () => {
    const server = app({ publicUrl: 'https://example.com/ci/' });
    for (const url of ['/', '/jobs/01abc', '/projects/my.app/insights?days=7', '/index.html']) {
      const response = await server.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.body).toContain('<base href="/ci/">');
    }
  });

  it('serves hashed assets with their type and a year of caching, gzipped when asked', async () => {
    const server = app();
    const plain = await server.inject({ url: '/assets/app-1a2b.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(bigScript);
    const gz = await server.inject({
      url: '/assets/app-1a2b.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(bigScript);
    expect(gz.rawPayload.length).toBeLessThan(bigScript.length / 4);
  });

  it('revalidates other files with an ETag (304 when unchanged)', async () => {
    const server = app();
    const first = await server.inject({ url: '/favicon.svg' });
    expect(first.headers['content-type']).toBe('image/svg+xml');
    expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    const etag = first.headers.etag as string;
    const again = await server.inject({ url: '/favicon.svg', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('answers 404 for a missing asset instead of HTML', async () => {
    const server = app();
    for (const url of ['/assets/gone-123.js', '/missing.css', '/favicon.ico']) {
      const response = await server.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().code).toBe('NOT_FOUND');
    }
  });

  it('never serves a file outside the dist folder', async () => {
    const server = app();
    for (const url of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%00secret.txt',
      '/%E0%A4%A',
    ]) {
      const response = await server.inject({ url });
      expect(response.body, url).not.toContain('TOP-SECRET');
    }
  });

  it('leaves API paths to the API (JSON 404, never the page)', async () => {
    const server = app();
    expect((await server.inject({ url: '/api/v1/health' })).json()).toEqual({ ok: true });
    const missing = await server.inject({ url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });

  it('accepts the prefix when a proxy passes it on', async () => {
    const server = app({ publicUrl: 'https://example.com/ci/' });
    expect((await server.inject({ url: '/ci/assets/app-1a2b.js' })).body).toBe(bigScript);
    expect((await server.inject({ url: '/ci/jobs/1' })).body).toContain('<base href="/ci/">');
    expect((await server.inject({ url: '/ci/api/v1/x' })).statusCode).toBe(404);
  });

  it('explains a missing build with 503', async () => {
    const server = app({ distDir: join(root, 'not-built') });
    const response = await server.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build');
  });
});
