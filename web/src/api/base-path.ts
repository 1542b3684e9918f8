/**
 * Where the UI lives: `/` or, behind a reverse proxy, a prefix such as `/ci/`. The server puts
 * it into index.html as `<base href>`; every URL the UI builds starts with it.
 */
export function basePath(): string {
  const href = document.querySelector('base')?.getAttribute('href') ?? '/';
  const path = new URL(href, window.location.origin).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/** `api/v1/me` → `/ci/api/v1/me`. Accepts paths with or without a leading slash. */
export function appUrl(path: string): string {
  return basePath() + path.replace(/^\/+/, '');
}
