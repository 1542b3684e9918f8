import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebRoutesOptions {
  /**
   * The server's public URL. Its path is where the UI lives behind a reverse proxy
   * (`https://host/ci/` → `/ci/`); the proxy strips that prefix before passing requests on.
   */
  readonly publicUrl?: string | undefined;
  /** The built UI (`vite build` output). Default: web/dist of this checkout. */
  readonly distDir?: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

const htmlHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** `/` or `/ci/`: the public URL's path, always ending in one slash. */
export function basePathOf(publicUrl: string | undefined): string {
  if (!publicUrl) return '/';
  const path = new URL(publicUrl).pathname.replace(/\/+$/, '');
  return `${path}/`;
}

/** Puts `<base href>` into the page so relative asset URLs and the router work under a prefix. */
export function injectBase(html: string, basePath: string): string {
  const escaped = basePath.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  const tag = `<base href="${escaped}">`;
  return /<head[^>]*>/i.test(html)
    ? html.replace(/<head[^>]*>/i, (head) => `${head}${tag}`)
    : tag + html;
}

function defaultDistDir(): string {
  // src/server/http (tsx) and dist/server/http (built) are both three levels below the root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
}

interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly etag: string;
  gzip?: Buffer;
}

/**
 * Serves the built web UI on the same origin as the API: hashed assets under /assets/ cached
 * for a year, everything else revalidated; any other GET that is not an API path gets
 * index.html (the UI routes in the browser). Files outside the dist folder are never served.
 */
export function webRoutes(app: FastifyInstance, options: WebRoutesOptions = {}): void {
  const distDir = resolve(options.distDir ?? defaultDistDir());
  const basePath = basePathOf(options.publicUrl);
  const prefix = basePath.slice(0, -1);
  const cache = new Map<string, CachedFile>();

  const load = async (file: string): Promise<CachedFile | undefined> => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(file);
    const entry: CachedFile = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      etag: `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    };
    cache.set(file, entry);
    return entry;
  };

  const send = (
    request: FastifyRequest,
    reply: FastifyReply,
    type: string,
    body: Buffer,
    compress: boolean,
    cached?: CachedFile,
  ): FastifyReply => {
    reply.header('content-type', type);
    if (compress) reply.header('vary', 'accept-encoding');
    const accepts = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (compress && accepts && body.length > 1024) {
      let gz = cached?.gzip;
      if (!gz) {
        gz = gzipSync(body);
        if (cached) cached.gzip = gz;
      }
      return reply.header('content-encoding', 'gzip').send(gz);
    }
    return reply.send(body);
  };

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const index = await load(resolve(distDir, 'index.html'));
    reply.header('cache-control', 'no-cache').headers(htmlHeaders);
    if (!index) {
      return reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Airlock</title><p>The web UI is not built. Run <code>npm run build</code> and reload; the API is at <code>/api/v1</code>.</p>',
        );
    }
    const html = Buffer.from(injectBase(index.body.toString('utf8'), basePath));
    return send(request, reply, contentTypes['.html'] as string, html, true);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent((request.url.split('?')[0] ?? '/').split('#')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    // Tolerate a proxy that passes the prefix on.
    if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) {
      path = path.slice(prefix.length) || '/';
    }
    if (path === '/api' || path.startsWith('/api/') || path.includes('\0')) {
      return reply.callNotFound();
    }
    const normalized = posix.normalize(path);
    if (normalized === '/' || normalized === '/index.html') return sendIndex(request, reply);
    const ext = extname(normalized).toLowerCase();
    const file = resolve(distDir, `.${normalized}`);
    const inside = file.startsWith(distDir + sep);
    const entry = inside && ext !== '.html' ? await load(file) : undefined;
    if (!entry) {
      // A missing asset is a 404 (never HTML in place of a script); any other path is a page.
      const isAsset =
        normalized.startsWith('/assets/') ||
        (/^\/[^/]+$/.test(normalized) && ext in contentTypes && ext !== '.html');
      return isAsset || !inside ? reply.callNotFound() : sendIndex(request, reply);
    }
    const hashed = normalized.startsWith('/assets/');
    reply.header(
      'cache-control',
      hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
    );
    reply.header('etag', entry.etag).header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === entry.etag) return reply.status(304).send();
    const type = contentTypes[ext] ?? 'application/octet-stream';
    return send(request, reply, type, entry.body, compressible.has(ext), entry);
  };

  app.get('/', handler);
  app.get('/*', handler);
}
