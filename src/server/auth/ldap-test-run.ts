import type { Entry } from 'ldapts';
import type { LdapTestResponse, LdapTestStep } from '../../protocol/ldap-api.js';
import { userFilter } from './ldap-filter.js';
import {
  type DirectoryGroup,
  type DirectoryUser,
  type LdapOperations,
  userSearchLimit,
  validUsername,
} from './ldap-operations.js';

/**
 * `airlock admin ldap-test`: every step with what it found, continuing past a failure where
 * the next step still tells something. An empty password skips the user bind.
 */
export async function runLdapTest(
  ops: LdapOperations,
  username: string,
  password: string,
): Promise<LdapTestResponse> {
  const steps: LdapTestStep[] = [];
  const add = (step: LdapTestStep['step'], status: LdapTestStep['status'], detail: string) =>
    steps.push({ step, status, detail });
  const skipRest = (from: number, why: string) => {
    const order = [
      'connect',
      'service_bind',
      'user_search',
      'user_bind',
      'groups',
      'required_group',
      'admin_group',
    ] as const;
    for (const step of order.slice(from)) add(step, 'skipped', why);
  };
  const report = (signInAllowed: boolean, isAdmin: boolean | null, user: DirectoryUser | null) => ({
    url: ops.description,
    steps,
    signInAllowed,
    isAdmin,
    user: user
      ? {
          dn: user.dn,
          username: user.username,
          displayName: user.displayName,
          email: user.email,
          groups: [...user.groups],
        }
      : null,
  });
  if (!validUsername(username)) {
    skipRest(0, 'the username is empty, too long or has control characters');
    return report(false, null, null);
  }
  const service = ops.openClient();
  try {
    try {
      await ops.connect(service);
      add('connect', 'ok', `connected to ${ops.description}`);
    } catch (error) {
      add('connect', 'failed', failure(error));
      skipRest(1, 'not connected');
      return report(false, null, null);
    }
    try {
      await ops.bindService(service);
      add('service_bind', 'ok', `bound as ${ops.options.bindDn}`);
    } catch (error) {
      add('service_bind', 'failed', failure(error));
      skipRest(2, 'the search account could not bind');
      return report(false, null, null);
    }
    let found: Entry[];
    const filter = userFilter(ops.options.userFilter, username);
    try {
      found = await ops.findUser(service, username);
    } catch (error) {
      add('user_search', 'failed', failure(error));
      skipRest(3, 'the user search failed');
      return report(false, null, null);
    }
    const where = `under ${ops.options.userSearchBase} with ${filter}`;
    const entry = found[0];
    if (found.length !== 1 || entry === undefined) {
      add(
        'user_search',
        'failed',
        found.length === 0
          ? `no entry ${where}`
          : `${found.length >= userSearchLimit ? `${userSearchLimit} or more` : found.length} entries ${where} (${found
              .slice(0, 5)
              .map((e) => e.dn)
              .join('; ')}): the filter must match exactly one`,
      );
      skipRest(3, 'no single user entry');
      return report(false, null, null);
    }
    add('user_search', 'ok', `1 entry ${where}: ${entry.dn}`);
    let passwordOk = false;
    if (password === '') {
      add(
        'user_bind',
        'skipped',
        'no password given (an empty password would be an anonymous bind)',
      );
    } else {
      try {
        passwordOk = await ops.userBinds(entry.dn, password);
        add(
          'user_bind',
          passwordOk ? 'ok' : 'failed',
          passwordOk
            ? `bound as ${entry.dn}`
            : `the directory refused the password for ${entry.dn}`,
        );
      } catch (error) {
        add('user_bind', 'failed', failure(error));
      }
    }
    let groups: DirectoryGroup[];
    try {
      groups = await ops.groupsOf(service, entry.dn);
    } catch (error) {
      add('groups', 'failed', failure(error));
      skipRest(5, 'the groups are unknown');
      return report(false, null, ops.userOf(entry, username, []));
    }
    add(
      'groups',
      'ok',
      `${groups.length} group(s) of objectClass ${ops.options.groupObjectClass} under ${ops.options.groupSearchBase} list the user in ${ops.options.groupMemberAttribute}${groups.length > 0 ? `: ${groups.map((g) => g.name).join(', ')}` : ''}`,
    );
    const user = ops.userOf(entry, username, groups);
    const required = ops.options.requiredGroup;
    if (required === undefined)
      add('required_group', 'skipped', 'no required group is set: every user found may sign in');
    else
      add(
        'required_group',
        user.allowed ? 'ok' : 'failed',
        user.allowed ? `member of ${required}` : `not a member of ${required}: sign-in is refused`,
      );
    const admin = ops.options.adminGroup;
    if (admin === undefined)
      add('admin_group', 'skipped', 'no admin group is set: admins are managed in Airlock');
    else
      add(
        'admin_group',
        'ok',
        user.isAdmin
          ? `member of ${admin}: an Airlock admin`
          : `not a member of ${admin}: not an admin`,
      );
    return report(passwordOk && user.allowed, user.isAdmin ?? null, user);
  } finally {
    await service.unbind().catch(() => undefined);
  }
}

/** A failed step's message with its hint: what went wrong and what to check. */
function failure(error: unknown): string {
  const { message, hint } = error as { message?: unknown; hint?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof hint === 'string' ? `${text} (${hint})` : text;
}
