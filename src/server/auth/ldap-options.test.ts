import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dnIsUnder, resolveLdapOptions, userFilterProblem } from './ldap-options.js';
import { type LdapSettings, ldapSettingsShape } from './ldap-settings.js';

const schema = z.object(ldapSettingsShape);
const settings = (input: Record<string, unknown>): LdapSettings => schema.parse(input);
const name = (key: string) => `--${key}`;
const secret = 'bind-pw-7c1e';
const base = {
  ldapUrl: 'ldap://127.0.0.1:389',
  ldapBindDn: 'cn=airlock,dc=example,dc=org',
  ldapUserSearchBase: 'ou=people,dc=example,dc=org',
};

function resolve(input: Record<string, unknown>, bindPassword: string | undefined) {
  return resolveLdapOptions(settings(input), { bindPassword, ca: undefined }, name);
}

/** The message of the INVALID_CONFIG error; the bind password is `secret` unless given. */
function problem(input: Record<string, unknown>, ...password: [string | undefined] | []) {
  try {
    resolve(input, password.length === 0 ? secret : password[0]);
  } catch (error) {
    const e = error as { code: string; message: string; hint?: string };
    expect(e.code).toBe('INVALID_CONFIG');
    expect(`${e.message} ${e.hint ?? ''}`).not.toContain(secret);
    return e.message;
  }
  throw new Error('expected the settings to be refused');
}

describe('resolveLdapOptions', () => {
  it('is off without a URL', () => {
    expect(resolve({}, undefined)).toBeUndefined();
  });

  it('fills in the OpenLDAP defaults', () => {
    const resolved = resolve(base, secret);
    expect(resolved?.options).toMatchObject({
      kind: 'openldap',
      userFilter: '(uid={username})',
      usernameAttribute: 'uid',
      displayNameAttribute: 'displayName',
      emailAttribute: 'mail',
      groupObjectClass: 'groupOfUniqueNames',
      groupMemberAttribute: 'uniqueMember',
      groupSearchBase: base.ldapUserSearchBase,
      bindPassword: secret,
      startTls: false,
      connectTimeoutMs: 5000,
      timeoutMs: 10000,
    });
    expect(resolved?.policy).toEqual({
      localLogin: false,
      recheckIntervalMs: 900_000,
      requiredGroup: undefined,
      adminGroup: undefined,
    });
  });

  it('fills in the Active Directory defaults, and set values win over them', () => {
    const ad = resolve({ ...base, ldapKind: 'active-directory' }, secret)?.options;
    expect(ad).toMatchObject({
      userFilter: '(sAMAccountName={username})',
      usernameAttribute: 'sAMAccountName',
      groupObjectClass: 'group',
      groupMemberAttribute: 'member',
    });
    const custom = resolve(
      {
        ...base,
        ldapKind: 'active-directory',
        ldapUserFilter: '(&(objectClass=user)(userPrincipalName={username}))',
        ldapGroupMemberAttribute: 'member:1.2.840.113556.1.4.1941:',
      },
      secret,
    )?.options;
    expect(custom?.userFilter).toBe('(&(objectClass=user)(userPrincipalName={username}))');
    expect(custom?.groupMemberAttribute).toBe('member:1.2.840.113556.1.4.1941:');
  });

  it.each([
    [{ ...base, ldapBindDn: undefined }, /--ldapBindDn is required when --ldapUrl is set/],
    [{ ...base, ldapUserSearchBase: undefined }, /--ldapUserSearchBase is required/],
    [
      { ...base, ldapUrl: 'ldaps://dc.corp:636', ldapStartTls: true },
      /--ldapStartTls is for ldap:\/\/ URLs/,
    ],
    [
      { ...base, ldapUserFilter: '(uid=alice)' },
      /--ldapUserFilter: the filter must contain \{username\}/,
    ],
    [{ ...base, ldapUserFilter: 'uid={username}' }, /enclosed in parentheses/],
    [{ ...base, ldapUserFilter: '(uid={username}))' }, /do not balance/],
    [{ ...base, ldapUserFilter: '(uid={username})(cn=x)' }, /wrap several in \(&/],
    [
      { ...base, ldapRequiredGroup: 'cn=devs,ou=groups,dc=example,dc=org' },
      /--ldapRequiredGroup cn=devs,ou=groups,dc=example,dc=org is not under the group search base/,
    ],
    [{ ldapBindDn: 'cn=x,dc=y' }, /--ldapBindDn set, but --ldapUrl is not/],
  ])('refuses %j naming the setting', (input, message) => {
    expect(problem(input)).toMatch(message);
  });

  it('needs a bind password, and refuses both the password and a file', () => {
    expect(problem(base, undefined)).toMatch(
      /--ldapBindPasswordFile or --ldapBindPassword is required/,
    );
    expect(problem(base, '')).toMatch(/the password file is empty/);
    expect(
      problem({ ...base, ldapBindPassword: secret, ldapBindPasswordFile: '/run/secrets/ldap' }),
    ).toMatch(/give one of --ldapBindPassword and --ldapBindPasswordFile/);
  });

  it('takes a group by cn anywhere, and by DN under the group search base', () => {
    const resolved = resolve(
      {
        ...base,
        ldapGroupSearchBase: 'ou=groups,dc=example,dc=org',
        ldapRequiredGroup: 'developers',
        ldapAdminGroup: 'CN=Admins, OU=Groups, DC=Example, DC=Org',
      },
      secret,
    );
    expect(resolved?.policy.adminGroup).toBe('CN=Admins, OU=Groups, DC=Example, DC=Org');
  });
});

describe('the LDAP settings schema', () => {
  it.each([
    ['ldapUrl', 'http://dc.corp'],
    ['ldapUrl', 'ldap://user:pw@dc.corp'],
    ['ldapUrl', 'ldap://dc.corp/dc=corp'],
    ['ldapKind', 'novell'],
    ['ldapBindDn', 'airlock'],
    ['ldapUsernameAttribute', 'uid)(x'],
    ['ldapGroupMemberAttribute', 'member=*'],
    ['ldapConnectTimeoutMs', '-1'],
  ])('refuses %s = %j', (key, value) => {
    expect(schema.safeParse({ [key]: value }).success).toBe(false);
  });

  it('accepts ldap:// and ldaps:// URLs with a port', () => {
    expect(schema.parse({ ldapUrl: 'ldaps://dc1.corp.example:636' }).ldapUrl).toBe(
      'ldaps://dc1.corp.example:636',
    );
    expect(schema.parse({ ldapUrl: 'ldap://[::1]:389/' }).ldapUrl).toBe('ldap://[::1]:389/');
  });
});

describe('helpers', () => {
  it('compares DNs ignoring case and spacing', () => {
    expect(dnIsUnder('CN=Admins, OU=Groups,DC=corp', 'ou=groups,dc=corp')).toBe(true);
    expect(dnIsUnder('cn=admins,ou=groupsx,dc=corp', 'ou=groups,dc=corp')).toBe(false);
    expect(dnIsUnder('ou=groups,dc=corp', 'ou=groups,dc=corp')).toBe(true);
  });

  it('checks a filter template', () => {
    expect(userFilterProblem('(uid={username})')).toBeUndefined();
    expect(userFilterProblem('(&(objectClass=person)(cn=a\\29b)(uid={username}))')).toBeUndefined();
  });
});
