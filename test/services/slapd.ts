import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { ensureDebianPackages, slapdRequirement } from './ensure-debian-packages.js';
import { findFreePort, withFreePort } from './free-port.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { chownRecursive, createScratchDir } from './scratch-dir.js';
import { lookupSystemUser, runningAsRoot } from './system-user.js';
import { waitUntilReady } from './wait-until-ready.js';

export interface LdapUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
  readonly cn: string;
  readonly mail: string;
}

export interface LdapGroup {
  readonly cn: string;
  readonly dn: string;
  /** `groupOfNames` lists members in `member`, `groupOfUniqueNames` in `uniqueMember`. */
  readonly objectClass: 'groupOfNames' | 'groupOfUniqueNames';
  /** Member DNs. */
  readonly members: readonly string[];
}

export interface SlapdOptions {
  /**
   * A server certificate and key (PEM) for 127.0.0.1: slapd then also listens for ldaps:// on a
   * second port and offers StartTLS on the ldap:// one.
   */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A running OpenLDAP server seeded with people and groups. */
export interface SlapdService {
  /** `ldap://127.0.0.1:PORT` (StartTLS too when started with `tls`). */
  readonly url: string;
  /** `ldaps://127.0.0.1:PORT2` when started with `tls`. */
  readonly ldapsUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  /** `dc=example,dc=test` */
  readonly baseDn: string;
  readonly peopleDn: string;
  readonly groupsDn: string;
  /** `cn=admin,dc=example,dc=test`, the rootdn. */
  readonly adminDn: string;
  readonly adminPassword: string;
  /** alice, bob and carol (inetOrgPerson under ou=people). */
  readonly users: readonly LdapUser[];
  /**
   * Under ou=groups: groupOfNames ci-admins (alice) and developers (alice, bob);
   * groupOfUniqueNames airlock-admins (alice) and airlock-users (alice, bob). carol is in none.
   */
  readonly groups: readonly LdapGroup[];
  /** Stops slapd and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

const baseDn = 'dc=example,dc=test';
const peopleDn = `ou=people,${baseDn}`;
const groupsDn = `ou=groups,${baseDn}`;
const adminDn = `cn=admin,${baseDn}`;

const seedUsers: readonly LdapUser[] = [
  person('alice', 'Alice Adams', 'alice-password'),
  person('bob', 'Bob Brown', 'bob-password'),
  person('carol', 'Carol Clark', 'carol-password'),
];
const seedGroups: readonly LdapGroup[] = [
  group('ci-admins', ['alice']),
  group('developers', ['alice', 'bob']),
  group('airlock-admins', ['alice'], 'groupOfUniqueNames'),
  group('airlock-users', ['alice', 'bob'], 'groupOfUniqueNames'),
];

/**
 * Starts slapd (OpenLDAP, mdb backend, config from a slapd.conf) on a free 127.0.0.1 port in a
 * scratch folder, waits for a root DSE search to answer, then seeds ou=people and ou=groups.
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<SlapdService> {
  await ensureDebianPackages([slapdRequirement]);
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const scratch = createScratchDir('slapd');
  let slapd: ManagedProcess | undefined;
  try {
    await mkdir(join(scratch.path, 'db'));
    const configPath = join(scratch.path, 'slapd.conf');
    if (options.tls) {
      await writeFile(join(scratch.path, 'server.pem'), options.tls.cert);
      await writeFile(join(scratch.path, 'server.key'), options.tls.key, { mode: 0o600 });
    }
    await writeFile(
      configPath,
      slapdConfig(scratch.path, adminPassword, options.tls !== undefined),
    );
    const serviceUser = runningAsRoot() ? lookupSystemUser('openldap') : undefined;
    if (serviceUser !== undefined) chownRecursive(scratch.path, serviceUser.uid, serviceUser.gid);

    let tlsPort: number | undefined;
    const port = await withFreePort(async (candidate) => {
      tlsPort = options.tls ? await findFreePort() : undefined;
      const listen = [
        `ldap://127.0.0.1:${candidate}/`,
        ...(tlsPort === undefined ? [] : [`ldaps://127.0.0.1:${tlsPort}/`]),
      ].join(' ');
      slapd = await startManagedProcess({
        name: 'slapd',
        command: '/usr/sbin/slapd',
        args: [
          '-d',
          '0',
          '-f',
          configPath,
          '-h',
          listen,
          ...(serviceUser === undefined ? [] : ['-u', serviceUser.name, '-g', serviceUser.name]),
        ],
        cwd: scratch.path,
        logPath: join(scratch.path, 'slapd.log'),
      });
      const started = slapd;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          probe: () => rootDseAnswers(candidate),
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    const url = `ldap://127.0.0.1:${port}`;
    await seed(url, adminPassword);
    const running = slapd;
    return {
      url,
      ldapsUrl: tlsPort === undefined ? undefined : `ldaps://127.0.0.1:${tlsPort}`,
      host: '127.0.0.1',
      port,
      baseDn,
      peopleDn,
      groupsDn,
      adminDn,
      adminPassword,
      users: seedUsers,
      groups: seedGroups,
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await slapd?.stop();
    scratch.remove();
    throw err;
  }
}

function person(uid: string, cn: string, password: string): LdapUser {
  return { uid, dn: `uid=${uid},${peopleDn}`, password, cn, mail: `${uid}@example.test` };
}

function group(
  cn: string,
  memberUids: readonly string[],
  objectClass: LdapGroup['objectClass'] = 'groupOfNames',
): LdapGroup {
  return {
    cn,
    dn: `cn=${cn},${groupsDn}`,
    objectClass,
    members: memberUids.map((uid) => `uid=${uid},${peopleDn}`),
  };
}

/** `{SSHA}` as slappasswd writes it: base64(sha1(password + salt) + salt). */
function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function slapdConfig(dir: string, adminPassword: string, tls: boolean): string {
  const tlsConfig = tls
    ? `TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
`
    : '';
  return `# written by test/services/slapd.ts
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
# Like Active Directory: a bind with a DN and an empty password "succeeds" as anonymous.
allow bind_anon_dn
${tlsConfig}
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by * read

database mdb
maxsize 67108864
suffix "${baseDn}"
rootdn "${adminDn}"
rootpw ${sshaHash(adminPassword)}
directory ${dir}/db
index objectClass eq
index uid eq
`;
}

async function rootDseAnswers(port: number): Promise<void> {
  const client = new Client({
    url: `ldap://127.0.0.1:${port}`,
    connectTimeout: 2_000,
    timeout: 2_000,
  });
  try {
    const result = await client.search('', { scope: 'base', attributes: ['namingContexts'] });
    const contexts = result.searchEntries[0]?.namingContexts;
    if (!String(contexts).includes(baseDn)) {
      throw new Error(`root DSE does not list ${baseDn}: ${String(contexts)}`);
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function seed(url: string, adminPassword: string): Promise<void> {
  const client = new Client({ url, connectTimeout: 5_000, timeout: 5_000 });
  try {
    await client.bind(adminDn, adminPassword);
    await client.add(baseDn, {
      objectClass: ['top', 'dcObject', 'organization'],
      dc: 'example',
      o: 'Example Test',
    });
    await client.add(peopleDn, { objectClass: ['top', 'organizationalUnit'], ou: 'people' });
    await client.add(groupsDn, { objectClass: ['top', 'organizationalUnit'], ou: 'groups' });
    for (const user of seedUsers) {
      await client.add(user.dn, {
        objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
        uid: user.uid,
        cn: user.cn,
        sn: user.cn.split(' ').at(-1) ?? user.cn,
        displayName: user.cn,
        mail: user.mail,
        userPassword: sshaHash(user.password),
      });
    }
    for (const entry of seedGroups) {
      await client.add(entry.dn, {
        objectClass: ['top', entry.objectClass],
        cn: entry.cn,
        [entry.objectClass === 'groupOfNames' ? 'member' : 'uniqueMember']: [...entry.members],
      });
    }
  } catch (err) {
    throw new Error(`slapd: seeding ${baseDn} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
