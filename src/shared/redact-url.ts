/**
 * Credential redaction for URLs and for text that quotes URLs. Every URL that is printed or
 * logged goes through `redactUrl`; every message that may quote one (an error from a library,
 * a diagnostic that quotes a malformed setting) goes through `redactUrlsInText`.
 *
 * The original spelling is kept; only the userinfo is replaced: the user becomes `***`, and a
 * password, when there is one, becomes `***` too (`http://***:***@proxy:3128`). The input need
 * not be a valid URL: a malformed proxy value such as `user:p/ss@proxy` is redacted as well.
 */

const redacted = '***';
const schemePrefix = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function parses(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function redactUserinfo(userinfo: string): string {
  return userinfo.includes(':') ? `${redacted}:${redacted}` : redacted;
}

/** Replaces the credentials of a URL (or URL-like value) with `***`; leaves everything else. */
export function redactUrl(value: string): string {
  if (!value.includes('@')) return value;
  const scheme = schemePrefix.exec(value);
  const start = scheme ? scheme[0].length : 0;
  // Without `scheme://` the value is a proxy written as `user:pass@host:port`.
  let authorityEnd = value.length;
  for (let i = start; i < value.length; i++) {
    const c = value[i];
    if (c === '/' || c === '?' || c === '#' || (scheme && c === '\\')) {
      authorityEnd = i;
      break;
    }
  }
  const at = value.lastIndexOf('@', authorityEnd - 1);
  if (at >= start) {
    return value.slice(0, start) + redactUserinfo(value.slice(start, at)) + value.slice(at);
  }
  // No `@` inside the authority. When the value is not a valid URL, an `@` further on most
  // likely ends a password that contains an unencoded `/`, `?` or `#`: redact up to it.
  const later = value.indexOf('@', authorityEnd);
  if (later >= 0 && !parses(value)) {
    return value.slice(0, start) + redactUserinfo(value.slice(start, later)) + value.slice(later);
  }
  return value;
}

const urlInText = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;
const bareUserinfoInText = /(^|[\s"'=(])([^\s"'=(@/]+:[^\s"'@/]*@)(?=[^\s"'@]+)/g;

/**
 * Redacts every URL inside free text (error messages from libraries, log lines). Also redacts
 * scheme-less `user:pass@host` tokens.
 */
export function redactUrlsInText(text: string): string {
  if (!text.includes('@')) return text;
  const withUrls = text.replace(urlInText, (match) => redactUrl(match));
  return withUrls.replace(
    bareUserinfoInText,
    (_m, lead: string, userinfo: string) => `${lead}${redactUserinfo(userinfo.slice(0, -1))}@`,
  );
}
