import { rootCertificates } from 'node:tls';
import {
  Client,
  type Entry,
  InvalidCredentialsError,
  NoSuchObjectError,
  ResultCodeError,
  SizeLimitExceededError,
} from 'ldapts';
import { AppError } from '../../shared/app-error.js';
import { describeLdapFailure } from './ldap-failure.js';
import { groupFilter, userFilter } from './ldap-filter.js';
import { type LdapOptions, normalizeDn } from './ldap-options.js';

export interface DirectoryGroup {
  readonly dn: string;
  /** Its cn (or the value of its first RDN). */
  readonly name: string;
}

/** A user as the directory describes them. */
export interface DirectoryUser {
  readonly dn: string;
  /** The value of the username attribute (the directory's spelling), else what was typed. */
  readonly username: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly groups: readonly DirectoryGroup[];
  /** No required group is set, or the user is a member of it. */
  readonly allowed: boolean;
  /** Member of the admin group; undefined when no admin group is set. */
  readonly isAdmin: boolean | undefined;
}

/** Most entries a user search may return before it counts as misconfigured. */
export const userSearchLimit = 20;

/**
 * The single steps of talking to the directory, each turning failures into operator-readable
 * UNAVAILABLE errors: open a client, connect (StartTLS first when set), bind the search account,
 * find a user, check a password on a connection of its own, read a user's groups.
 */
export class LdapOperations {
  readonly options: LdapOptions;
  readonly #host: string;

  constructor(options: LdapOptions) {
    this.options = options;
    const url = new URL(options.url);
    const port = url.port || (url.protocol === 'ldaps:' ? '636' : '389');
    this.#host = `${url.hostname}:${port}`;
  }

  /** The URL and TLS mode, for logs and the test report (no credentials). */
  get description(): string {
    const tls = this.options.url.startsWith('ldaps:')
      ? 'TLS'
      : this.options.startTls
        ? 'StartTLS'
        : 'plain text';
    return `${this.options.url} (${tls})`;
  }

  openClient(): Client {
    return new Client({
      url: this.options.url,
      connectTimeout: this.options.connectTimeoutMs,
      timeout: this.options.timeoutMs,
      // ldapts makes any client with TLS options a TLS client: only for ldaps://.
      ...(this.options.url.startsWith('ldaps:') ? { tlsOptions: this.#tlsOptions() } : {}),
    });
  }

  #tlsOptions() {
    const host = new URL(this.options.url).hostname.replace(/^\[|\]$/g, '');
    return {
      minVersion: 'TLSv1.2' as const,
      host,
      ...(/^[0-9.]+$|:/.test(host) ? {} : { servername: host }),
      ...(this.options.ca ? { ca: [...rootCertificates, this.options.ca] } : {}),
    };
  }

  /** Opens the connection and, for StartTLS, upgrades it before anything else is sent. */
  async connect(client: Client): Promise<void> {
    try {
      if (this.options.startTls) await client.startTLS(this.#tlsOptions());
      else if (!client.isConnected) {
        // A root DSE read opens the connection without binding, so a refused bind is told apart.
        await client.search('', { scope: 'base', attributes: ['1.1'] });
      }
    } catch (error) {
      // The directory answered (an anonymous root DSE read may be refused): connected.
      if (error instanceof ResultCodeError && !this.options.startTls) return;
      throw this.#unavailable(
        this.options.startTls
          ? `StartTLS with ${this.description} failed`
          : `cannot connect to ${this.description}`,
        error,
      );
    }
  }

  async bindService(client: Client): Promise<void> {
    try {
      await client.bind(this.options.bindDn, this.options.bindPassword);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        throw new AppError(
          'UNAVAILABLE',
          `LDAP: the directory refused the search account ${this.options.bindDn} (invalid credentials)`,
          { hint: 'check --ldap-bind-dn and the bind password (--ldap-bind-password-file)' },
        );
      }
      if (error instanceof ResultCodeError || error instanceof AppError) {
        throw this.#unavailable(`the search account ${this.options.bindDn} could not bind`, error);
      }
      throw this.#unavailable(`cannot connect to ${this.description}`, error);
    }
  }

  async openService(client: Client): Promise<void> {
    if (this.options.startTls) await this.connect(client);
    await this.bindService(client);
  }

  async findUser(client: Client, username: string): Promise<Entry[]> {
    const o = this.options;
    try {
      const { searchEntries } = await client.search(o.userSearchBase, {
        scope: 'sub',
        filter: userFilter(o.userFilter, username),
        attributes: [o.usernameAttribute, o.displayNameAttribute, 'cn', o.emailAttribute],
        sizeLimit: userSearchLimit,
      });
      return searchEntries;
    } catch (error) {
      if (error instanceof SizeLimitExceededError) {
        return Array.from({ length: userSearchLimit }, () => ({ dn: '(more)' }));
      }
      if (error instanceof NoSuchObjectError) {
        throw new AppError(
          'UNAVAILABLE',
          `LDAP: the user search base ${o.userSearchBase} does not exist`,
          {
            hint: 'check --ldap-user-search-base (ldapsearch -b <base> shows what exists)',
          },
        );
      }
      throw this.#unavailable(`the user search under ${o.userSearchBase} failed`, error);
    }
  }

  /** True when the directory accepts the password; false when it refuses it. */
  async userBinds(dn: string, password: string): Promise<boolean> {
    if (password === '') return false;
    const client = this.openClient();
    try {
      if (this.options.startTls) await this.connect(client);
      await client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof AppError) throw error;
      // Wrong password, locked or expired account (AD answers 49 for all of them).
      if (error instanceof ResultCodeError) return false;
      throw this.#unavailable(`binding as ${dn} failed`, error);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async groupsOf(client: Client, dn: string): Promise<DirectoryGroup[]> {
    const o = this.options;
    try {
      const { searchEntries } = await client.search(o.groupSearchBase, {
        scope: 'sub',
        filter: groupFilter(o.groupObjectClass, o.groupMemberAttribute, dn),
        attributes: ['cn'],
        paged: { pageSize: 500 },
      });
      return searchEntries
        .map((e) => ({ dn: e.dn, name: firstValue(e, 'cn') ?? firstRdnValue(e.dn) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      if (error instanceof NoSuchObjectError) {
        throw new AppError(
          'UNAVAILABLE',
          `LDAP: the group search base ${o.groupSearchBase} does not exist`,
          {
            hint: 'check --ldap-group-search-base',
          },
        );
      }
      throw this.#unavailable(`the group search under ${o.groupSearchBase} failed`, error);
    }
  }

  userOf(entry: Entry, typed: string, groups: readonly DirectoryGroup[]): DirectoryUser {
    const o = this.options;
    return {
      dn: entry.dn,
      username: firstValue(entry, o.usernameAttribute) ?? typed,
      displayName: firstValue(entry, o.displayNameAttribute) ?? firstValue(entry, 'cn') ?? null,
      email: firstValue(entry, o.emailAttribute) ?? null,
      groups,
      allowed: o.requiredGroup === undefined || memberOf(groups, o.requiredGroup),
      isAdmin: o.adminGroup === undefined ? undefined : memberOf(groups, o.adminGroup),
    };
  }

  #unavailable(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    const { reason, hint } = describeLdapFailure(error, {
      host: this.#host,
      connectTimeoutMs: this.options.connectTimeoutMs,
      timeoutMs: this.options.timeoutMs,
    });
    return new AppError('UNAVAILABLE', `LDAP: ${what}: ${reason}`, {
      cause: error,
      ...(hint ? { hint } : {}),
    });
  }
}

/** A group given as a DN (has `=`) matches by DN, else by name; case is ignored. */
export function memberOf(groups: readonly DirectoryGroup[], group: string): boolean {
  if (group.includes('=')) {
    const wanted = normalizeDn(group);
    return groups.some((g) => normalizeDn(g.dn) === wanted);
  }
  const wanted = group.toLowerCase();
  return groups.some((g) => g.name.toLowerCase() === wanted);
}

export function validUsername(username: string): boolean {
  return (
    username.trim() !== '' && username.length <= 256 && !/[\u0000-\u001f\u007f]/.test(username)
  );
}

/** The first value of an attribute, found ignoring the case of its name. */
function firstValue(entry: Entry, name: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined || key === 'dn') return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  return text === '' ? undefined : text;
}

function firstRdnValue(dn: string): string {
  const match = /^[^=]+=((?:\\.|[^,+])*)/.exec(dn);
  return match?.[1]?.replace(/\\(.)/g, '$1') ?? dn;
}
