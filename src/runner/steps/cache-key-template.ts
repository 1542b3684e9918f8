/**
 * Renders a cache key template at run time (`save_cache`, `restore_cache`):
 * `{{ checksum "file" }}` (base64 SHA-256 of the file), `{{ .Branch }}`, `{{ .Revision }}`,
 * `{{ .BuildNum }}`, `{{ .CheckoutKey }}`, `{{ .Environment.NAME }}`, `{{ epoch }}`, `{{ arch }}`.
 * Unknown templates are an error, never rendered as nothing. Pure: file reading comes in.
 */
export interface CacheKeyContext {
  readonly branch: string;
  readonly revision: string;
  readonly buildNum: string;
  readonly checkoutKey: string;
  readonly env: Readonly<Record<string, string>>;
  readonly epochSeconds: number;
  /** `linux-amd64`, `darwin-arm64`, … */
  readonly arch: string;
  /** Base64 SHA-256 of a file's content (path as written in the template). */
  readonly checksum: (path: string) => Promise<string>;
}

export type RenderedKey = { ok: true; key: string } | { ok: false; error: string };

export async function renderCacheKey(template: string, ctx: CacheKeyContext): Promise<RenderedKey> {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) {
    out += template.slice(last, match.index);
    last = (match.index ?? 0) + match[0].length;
    const expr = match[1] ?? '';
    const checksum = /^checksum\s+"([^"]+)"$/.exec(expr);
    const env = /^\.Environment\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (checksum) {
      try {
        out += await ctx.checksum(checksum[1] as string);
      } catch (error) {
        return {
          ok: false,
          error: `cannot compute {{ checksum "${checksum[1]}" }}: ${(error as Error).message}`,
        };
      }
    } else if (env) {
      out += ctx.env[env[1] as string] ?? '';
    } else if (expr === '.Branch') out += ctx.branch;
    else if (expr === '.Revision') out += ctx.revision;
    else if (expr === '.BuildNum') out += ctx.buildNum;
    else if (expr === '.CheckoutKey') out += ctx.checkoutKey;
    else if (expr === 'epoch') out += String(Math.floor(ctx.epochSeconds));
    else if (expr === 'arch') out += ctx.arch;
    else
      return {
        ok: false,
        error: `unknown template {{ ${expr} }} in cache key ${JSON.stringify(template)}; known: checksum "file", .Branch, .Revision, .BuildNum, .CheckoutKey, .Environment.NAME, epoch, arch`,
      };
  }
  out += template.slice(last);
  if (out.length === 0) return { ok: false, error: 'the cache key is empty' };
  if (out.length > 900) return { ok: false, error: 'the cache key is longer than 900 characters' };
  return { ok: true, key: out };
}
