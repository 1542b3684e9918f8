import type { SettingDoc } from './settings.js';

/**
 * The LDAP / Active Directory settings of `airlock server` (part of its settings table; the
 * schema is `ldapSettingsShape` in src/server/auth/ldap-settings.ts). `ldapKind` fills in the
 * defaults marked "by kind".
 */
export const ldapServerSettings: readonly SettingDoc[] = [
  {
    key: 'ldapUrl',
    help: 'turn LDAP sign-in on: ldap://host:389 or ldaps://host:636',
    defaultText: 'unset: LDAP off',
  },
  {
    key: 'ldapStartTls',
    help: 'upgrade the ldap:// connection with StartTLS before any bind',
    boolean: true,
    defaultText: 'false',
  },
  {
    key: 'ldapKind',
    help: 'openldap or active-directory: the defaults of the filter, attributes and group class',
    defaultText: 'openldap',
  },
  {
    key: 'ldapBindDn',
    help: 'DN of the search account, e.g. cn=airlock,ou=services,dc=example,dc=org',
  },
  {
    key: 'ldapBindPassword',
    help: 'password of the search account; prefer --ldap-bind-password-file or the variable (flags show up in ps)',
    secret: true,
  },
  {
    key: 'ldapBindPasswordFile',
    help: 'file holding the search account password (one final newline dropped)',
  },
  {
    key: 'ldapUserSearchBase',
    help: 'where users are searched (subtree), e.g. ou=people,dc=example,dc=org',
  },
  {
    key: 'ldapUserFilter',
    help: 'user filter; {username} is replaced by the escaped sign-in name',
    defaultText: 'by kind: (uid={username}) or (sAMAccountName={username})',
  },
  {
    key: 'ldapUsernameAttribute',
    help: 'attribute whose value becomes the Airlock username',
    defaultText: 'by kind: uid or sAMAccountName',
  },
  {
    key: 'ldapDisplayNameAttribute',
    help: 'attribute with the display name (cn when it is empty)',
    defaultText: 'displayName',
  },
  { key: 'ldapEmailAttribute', help: 'attribute with the email address', defaultText: 'mail' },
  {
    key: 'ldapGroupSearchBase',
    help: 'where groups are searched (subtree), e.g. ou=groups,dc=example,dc=org',
    defaultText: 'the user search base',
  },
  {
    key: 'ldapGroupObjectClass',
    help: 'objectClass of groups',
    defaultText: 'by kind: groupOfUniqueNames or group',
  },
  {
    key: 'ldapGroupMemberAttribute',
    help: 'group attribute listing member DNs (AD nested groups: member:1.2.840.113556.1.4.1941:)',
    defaultText: 'by kind: uniqueMember or member',
  },
  {
    key: 'ldapRequiredGroup',
    help: 'only members of this group (DN or cn) may sign in',
    defaultText: 'unset: every user found',
  },
  {
    key: 'ldapAdminGroup',
    help: 'members of this group (DN or cn) are Airlock admins, others not, set at each sign-in',
    defaultText: 'unset: admins are managed in Airlock',
  },
  {
    key: 'ldapCaFile',
    help: 'PEM file of the CA(s) that sign the directory certificate (ldaps://, StartTLS), added to the system CAs',
    defaultText: 'AIRLOCK_CA_BUNDLE when set',
  },
  { key: 'ldapConnectTimeoutMs', help: 'TCP and TLS connect timeout, in ms', defaultText: '5000' },
  { key: 'ldapTimeoutMs', help: 'timeout of each bind and search, in ms', defaultText: '10000' },
  {
    key: 'ldapLocalLogin',
    help: 'keep local accounts (password sign-in, sign-up by invitation) next to LDAP',
    boolean: true,
    defaultText: 'false',
  },
  {
    key: 'ldapRecheckIntervalMs',
    help: 'how often API tokens of LDAP users are re-checked against the directory, in ms; 0: never',
    defaultText: '900000 (15 minutes)',
  },
];
