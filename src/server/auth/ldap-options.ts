import { AppError } from '../../shared/app-error.js';
import { type LdapKind, type LdapSettings, ldapKindDefaults } from './ldap-settings.js';

/** Everything the directory client needs, defaults filled in and checked together. */
export interface LdapOptions {
  readonly url: string;
  readonly startTls: boolean;
  readonly kind: LdapKind;
  readonly bindDn: string;
  /** Never logged, never in an error or an API answer. */
  readonly bindPassword: string;
  readonly userSearchBase: string;
  /** Contains `{username}`. */
  readonly userFilter: string;
  readonly usernameAttribute: string;
  readonly displayNameAttribute: string;
  readonly emailAttribute: string;
  readonly groupSearchBase: string;
  readonly groupObjectClass: string;
  readonly groupMemberAttribute: string;
  /** DN (has `=`) or cn of the group whose members may sign in. */
  readonly requiredGroup: string | undefined;
  /** DN or cn of the group whose members are admins. */
  readonly adminGroup: string | undefined;
  /** PEM CA bundle trusted in addition to the system CAs, for ldaps:// and StartTLS. */
  readonly ca: string | undefined;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
}

/** What the account service decides with, beside the directory. */
export interface LdapAccountPolicy {
  /** Local accounts keep signing in with their password (break-glass). */
  readonly localLogin: boolean;
  /** Re-check an LDAP user's API tokens against the directory this often, in ms; 0 never. */
  readonly recheckIntervalMs: number;
  /** Only members of this group may sign in (and use their tokens). */
  readonly requiredGroup: string | undefined;
  /** Admin status follows this group (so it cannot be changed in Airlock). */
  readonly adminGroup: string | undefined;
}

/** How a setting is called where the operator sets it (flag and variable), for messages. */
export type SettingName = (key: keyof LdapSettings) => string;

/**
 * Turns the LDAP settings into options: the kind's defaults for what is not set, then the checks
 * that involve more than one key. Undefined when `ldapUrl` is not set (LDAP off). A problem is an
 * INVALID_CONFIG error that names the setting; the password is never quoted.
 */
export function resolveLdapOptions(
  settings: LdapSettings,
  secrets: { readonly bindPassword: string | undefined; readonly ca: string | undefined },
  name: SettingName,
): { options: LdapOptions; policy: LdapAccountPolicy } | undefined {
  const url = settings.ldapUrl;
  if (url === undefined) {
    const stray = (
      ['ldapBindDn', 'ldapBindPassword', 'ldapBindPasswordFile', 'ldapUserSearchBase'] as const
    ).filter((key) => settings[key] !== undefined);
    if (stray.length > 0) {
      throw invalid(`${stray.map(name).join(', ')} set, but ${name('ldapUrl')} is not`, {
        hint: `set ${name('ldapUrl')} to ldap://host:389 or ldaps://host:636 to turn LDAP sign-in on`,
      });
    }
    return undefined;
  }
  const secure = url.startsWith('ldaps:');
  if (secure && settings.ldapStartTls) {
    throw invalid(`${name('ldapStartTls')} is for ldap:// URLs; ${url} is already TLS`, {
      hint: `drop ${name('ldapStartTls')}, or use an ldap:// URL`,
    });
  }
  const bindDn = settings.ldapBindDn;
  if (bindDn === undefined) {
    throw invalid(`${name('ldapBindDn')} is required when ${name('ldapUrl')} is set`, {
      hint: 'the DN of the search account, e.g. cn=airlock,ou=services,dc=example,dc=org',
    });
  }
  if (settings.ldapBindPassword !== undefined && settings.ldapBindPasswordFile !== undefined) {
    throw invalid(
      `give one of ${name('ldapBindPassword')} and ${name('ldapBindPasswordFile')}, not both`,
    );
  }
  if (secrets.bindPassword === undefined || secrets.bindPassword === '') {
    throw invalid(
      `${name('ldapBindPasswordFile')} or ${name('ldapBindPassword')} is required when ${name('ldapUrl')} is set${secrets.bindPassword === '' ? ' (the password file is empty)' : ''}`,
      { hint: 'an empty password would be an anonymous bind; put the password in a 0600 file' },
    );
  }
  const userSearchBase = settings.ldapUserSearchBase;
  if (userSearchBase === undefined) {
    throw invalid(`${name('ldapUserSearchBase')} is required when ${name('ldapUrl')} is set`, {
      hint: 'where users are searched, e.g. ou=people,dc=example,dc=org',
    });
  }
  const defaults = ldapKindDefaults[settings.ldapKind];
  const userFilter = settings.ldapUserFilter ?? defaults.userFilter;
  const filterProblem = userFilterProblem(userFilter);
  if (filterProblem) {
    throw invalid(`${name('ldapUserFilter')}: ${filterProblem} (got ${userFilter})`, {
      hint: `e.g. ${defaults.userFilter} or (&(objectClass=person)(mail={username}))`,
    });
  }
  const groupSearchBase = settings.ldapGroupSearchBase ?? userSearchBase;
  for (const key of ['ldapRequiredGroup', 'ldapAdminGroup'] as const) {
    const group = settings[key];
    if (group?.includes('=') && !dnIsUnder(group, groupSearchBase)) {
      throw invalid(
        `${name(key)} ${group} is not under the group search base ${groupSearchBase}, so its members would never be found`,
        {
          hint: `set ${name('ldapGroupSearchBase')} to a DN that contains the group (e.g. ou=groups,dc=example,dc=org)`,
        },
      );
    }
  }
  return {
    options: {
      url,
      startTls: settings.ldapStartTls,
      kind: settings.ldapKind,
      bindDn,
      bindPassword: secrets.bindPassword,
      userSearchBase,
      userFilter,
      usernameAttribute: settings.ldapUsernameAttribute ?? defaults.usernameAttribute,
      displayNameAttribute: settings.ldapDisplayNameAttribute ?? defaults.displayNameAttribute,
      emailAttribute: settings.ldapEmailAttribute ?? defaults.emailAttribute,
      groupSearchBase,
      groupObjectClass: settings.ldapGroupObjectClass ?? defaults.groupObjectClass,
      groupMemberAttribute: settings.ldapGroupMemberAttribute ?? defaults.groupMemberAttribute,
      requiredGroup: settings.ldapRequiredGroup,
      adminGroup: settings.ldapAdminGroup,
      ca: secrets.ca,
      connectTimeoutMs: settings.ldapConnectTimeoutMs,
      timeoutMs: settings.ldapTimeoutMs,
    },
    policy: {
      localLogin: settings.ldapLocalLogin,
      recheckIntervalMs: settings.ldapRecheckIntervalMs,
      requiredGroup: settings.ldapRequiredGroup,
      adminGroup: settings.ldapAdminGroup,
    },
  };
}

/** Why a user filter template cannot work, or undefined. */
export function userFilterProblem(filter: string): string | undefined {
  if (!filter.includes('{username}')) return 'the filter must contain {username}';
  if (!filter.startsWith('(') || !filter.endsWith(')'))
    return 'a filter is enclosed in parentheses';
  let depth = 0;
  let closedEarly = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '\\') i += 2;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) return 'the parentheses do not balance';
      if (depth === 0 && i !== filter.length - 1) closedEarly = true;
    }
  }
  if (depth !== 0) return 'the parentheses do not balance';
  return closedEarly ? 'a filter is one expression: wrap several in (&…)' : undefined;
}

/** DNs compared the way directories compare them for our purposes: case and spacing ignored. */
export function normalizeDn(dn: string): string {
  return dn
    .trim()
    .replace(/\s*([,=+])\s*/g, '$1')
    .toLowerCase();
}

export function dnIsUnder(dn: string, base: string): boolean {
  const child = normalizeDn(dn);
  const parent = normalizeDn(base);
  return child === parent || child.endsWith(`,${parent}`);
}

function invalid(message: string, options: { hint?: string } = {}): AppError {
  return new AppError('INVALID_CONFIG', `LDAP settings: ${message}`, options);
}
