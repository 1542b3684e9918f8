/**
 * Escapes a value for an LDAP search filter (RFC 4515, section 3): `\`, `*`, `(`, `)` and NUL
 * become `\5c`, `\2a`, `\28`, `\29` and `\00`, so a sign-in name is always one literal value,
 * never a wildcard or a second filter (`*)(uid=*` finds nobody).
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The configured user filter with `{username}` replaced by the escaped name. */
export function userFilter(template: string, username: string): string {
  const escaped = escapeFilterValue(username);
  return template.replaceAll('{username}', () => escaped);
}

/** Groups of `objectClass` that list `memberDn` in `memberAttribute`. */
export function groupFilter(
  objectClass: string,
  memberAttribute: string,
  memberDn: string,
): string {
  return `(&(objectClass=${escapeFilterValue(objectClass)})(${memberAttribute}=${escapeFilterValue(memberDn)}))`;
}
