/**
 * `POST /api/v1/admin/ldap/test` (admin): tries the LDAP settings with one username and
 * password, step by step, the way an operator would with ldapsearch, and signs nobody in.
 */
import { z } from 'zod';

export const ldapTestPath = '/api/v1/admin/ldap/test';

export const ldapTestRequestSchema = z.object({
  username: z.string().min(1, 'give the username to test').max(256),
  /** Empty: the user bind is skipped (an empty password would be an anonymous bind). */
  password: z.string().max(1000).default(''),
});
export type LdapTestRequest = z.input<typeof ldapTestRequestSchema>;

export const ldapTestStepNames = [
  'connect',
  'service_bind',
  'user_search',
  'user_bind',
  'groups',
  'required_group',
  'admin_group',
] as const;
export type LdapTestStepName = (typeof ldapTestStepNames)[number];

export const ldapTestStepSchema = z.object({
  step: z.enum(ldapTestStepNames),
  /** `skipped`: an earlier step failed or the step does not apply. */
  status: z.enum(['ok', 'failed', 'skipped']),
  detail: z.string(),
});
export type LdapTestStep = z.infer<typeof ldapTestStepSchema>;

export const ldapTestResponseSchema = z.object({
  /** What the directory settings are (no password). */
  url: z.string(),
  steps: z.array(ldapTestStepSchema),
  /** Whether this username and password would sign in now. */
  signInAllowed: z.boolean(),
  /** Admin after sign-in; null when no admin group is set (admins are managed in Airlock). */
  isAdmin: z.boolean().nullable(),
  /** The user found, if exactly one. */
  user: z
    .object({
      dn: z.string(),
      username: z.string(),
      displayName: z.string().nullable(),
      email: z.string().nullable(),
      groups: z.array(z.object({ dn: z.string(), name: z.string() })),
    })
    .nullable(),
});
export type LdapTestResponse = z.infer<typeof ldapTestResponseSchema>;
