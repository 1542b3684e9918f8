import { z } from 'zod';

/** The two directory presets: they only change defaults. */
export const ldapKinds = ['openldap', 'active-directory'] as const;
export type LdapKind = (typeof ldapKinds)[number];

/** What `ldapKind` fills in when the setting is not given. */
export const ldapKindDefaults: Readonly<
  Record<
    LdapKind,
    {
      readonly userFilter: string;
      readonly usernameAttribute: string;
      readonly displayNameAttribute: string;
      readonly emailAttribute: string;
      readonly groupObjectClass: string;
      readonly groupMemberAttribute: string;
    }
  >
> = {
  openldap: {
    userFilter: '(uid={username})',
    usernameAttribute: 'uid',
    displayNameAttribute: 'displayName',
    emailAttribute: 'mail',
    groupObjectClass: 'groupOfUniqueNames',
    groupMemberAttribute: 'uniqueMember',
  },
  'active-directory': {
    userFilter: '(sAMAccountName={username})',
    usernameAttribute: 'sAMAccountName',
    displayNameAttribute: 'displayName',
    emailAttribute: 'mail',
    groupObjectClass: 'group',
    groupMemberAttribute: 'member',
  },
};

/** An attribute description: a name or OID with options (`cn`, `displayName;lang-de`). */
const attribute = z
  .string()
  .trim()
  .regex(
    /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$/,
    'an LDAP attribute name is letters, digits and "-" (or an OID such as 2.5.4.3)',
  );

/**
 * The membership attribute, optionally with an extensible-match rule, e.g. Active Directory's
 * nested-group rule `member:1.2.840.113556.1.4.1941:`.
 */
const memberAttribute = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z][A-Za-z0-9-]*(?::[0-9]+(?:\.[0-9]+)+:)?$/,
    'a membership attribute is a name such as member or uniqueMember, optionally with a matching rule (member:1.2.840.113556.1.4.1941:)',
  );

/** A DN as a setting: non-empty, no line breaks. Its syntax is the directory's to judge. */
const dn = z
  .string()
  .trim()
  .min(1)
  .regex(/^[^\r\n\0]+$/, 'a DN is one line, e.g. ou=people,dc=example,dc=org')
  .regex(/=/, 'a DN has the form attribute=value,… (e.g. ou=people,dc=example,dc=org)');

const ldapUrl = z
  .string()
  .trim()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === 'ldap:' || url.protocol === 'ldaps:') &&
          url.hostname !== '' &&
          url.username === '' &&
          url.password === '' &&
          (url.pathname === '' || url.pathname === '/') &&
          url.search === '' &&
          url.hash === ''
        );
      } catch {
        return false;
      }
    },
    {
      message:
        'an LDAP URL is ldap://host[:port] or ldaps://host[:port], without credentials, path or query',
    },
  );

/**
 * The LDAP keys of the server settings (merged into `serverConfigSchema`). Field by field
 * only: what depends on other keys (a bind DN when the URL is set, the kind's defaults, the
 * password file) is checked where the directory is built, in src/cmd.
 */
export const ldapSettingsShape = {
  /** `ldap://host:389` or `ldaps://host:636`; unset: LDAP sign-in is off. */
  ldapUrl: ldapUrl.optional(),
  /** Upgrade an `ldap://` connection with StartTLS before any bind. */
  ldapStartTls: z.boolean().default(false),
  /** Preset for the defaults of the filter, attributes and group class. */
  ldapKind: z.enum(ldapKinds).default('openldap'),
  /** The search (service) account, e.g. `cn=airlock,ou=services,dc=example,dc=org`. */
  ldapBindDn: dn.optional(),
  /** Its password; prefer `ldapBindPasswordFile` or the variable (flags show up in `ps`). */
  ldapBindPassword: z.string().min(1).optional(),
  /** File whose content (one final line break dropped) is the search account's password. */
  ldapBindPasswordFile: z.string().min(1).optional(),
  /** Where users are searched (whole subtree), e.g. `ou=people,dc=example,dc=org`. */
  ldapUserSearchBase: dn.optional(),
  /** The user filter; `{username}` is replaced by the escaped sign-in name. */
  ldapUserFilter: z.string().trim().min(1).optional(),
  /** Attribute holding the sign-in name (its value becomes the Airlock username). */
  ldapUsernameAttribute: attribute.optional(),
  /** Attribute with the display name (falls back to `cn`). */
  ldapDisplayNameAttribute: attribute.optional(),
  /** Attribute with the email address. */
  ldapEmailAttribute: attribute.optional(),
  /** Where groups are searched (whole subtree); default: the user search base. */
  ldapGroupSearchBase: dn.optional(),
  /** objectClass of group entries. */
  ldapGroupObjectClass: attribute.optional(),
  /** Attribute of a group that lists member DNs. */
  ldapGroupMemberAttribute: memberAttribute.optional(),
  /** Only members of this group (DN or cn) may sign in. */
  ldapRequiredGroup: z.string().trim().min(1).optional(),
  /** Members of this group (DN or cn) are Airlock admins; others are not. */
  ldapAdminGroup: z.string().trim().min(1).optional(),
  /** PEM file of the CA(s) that sign the directory's certificate (added to the system CAs). */
  ldapCaFile: z.string().min(1).optional(),
  /** TCP (and TLS) connect timeout, in ms. */
  ldapConnectTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** Timeout of each LDAP operation (bind, search), in ms. */
  ldapTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** Keep local accounts (password sign-in, sign-up by invitation) next to LDAP. */
  ldapLocalLogin: z.boolean().default(false),
  /**
   * How often an LDAP user's API tokens are re-checked against the directory (still there,
   * still in the required group, admin or not), in ms; 0: never.
   */
  ldapRecheckIntervalMs: z.coerce.number().int().min(0).default(900_000),
};

export type LdapSettings = z.infer<z.ZodObject<typeof ldapSettingsShape>>;
