import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCertificate {
  /** The leaf alone. */
  readonly certPath: string;
  /** The leaf followed by the intermediate (for leaves the intermediate issued), as certbot's fullchain.pem. */
  readonly chainPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly chainPem: string;
  readonly keyPem: string;
  /** Hex serial, upper case. */
  readonly serial: string;
}

export interface IssueOptions {
  /** File name stem and CN. */
  readonly name: string;
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`; none: no extension. */
  readonly sans?: readonly string[];
  /** Who signs: the intermediate (default), the root, or a second root nobody trusts. */
  readonly issuer?: 'intermediate' | 'root' | 'stranger';
  /** Validity window; default from an hour ago for `days` days. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly days?: number;
  readonly keyType?: 'rsa' | 'ec';
}

/** A throwaway PKI made with openssl: a root, an intermediate under it, and a stranger root. */
export interface TestPki {
  readonly dir: string;
  readonly rootPem: string;
  readonly rootPath: string;
  readonly intermediatePem: string;
  readonly strangerPem: string;
  issue(options: IssueOptions): Promise<IssuedCertificate>;
  remove(): Promise<void>;
}

/** `YYYYMMDDHHMMSSZ`, the form `openssl ca -startdate/-enddate` takes. */
function caDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const caConfig = (dir: string) => `[ ca ]
default_ca = ca_default
[ ca_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/issued
serial = ${dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
`;

/** Builds a root CA, an intermediate CA it signed, and an unrelated root, in a temp folder. */
export async function createTestPki(prefix = 'Airlock TLS Test'): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-pki-'));
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await mkdir(p('issued'));
  await writeFile(p('index.txt'), '');
  await writeFile(p('serial'), '1000\n');
  await writeFile(p('ca.cnf'), caConfig(dir));
  await writeFile(
    p('ca.ext'),
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  const root = async (stem: string, cn: string) => {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      p(`${stem}.key`),
      '-out',
      p(`${stem}.pem`),
      '-days',
      '30',
      '-subj',
      `/CN=${cn}/O=Airlock Tests`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  await root('root', `${prefix} Root CA`);
  await root('stranger', `${prefix} Stranger CA`);
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    p('intermediate.key'),
    '-out',
    p('intermediate.csr'),
    '-subj',
    `/CN=${prefix} Intermediate CA/O=Airlock Tests`,
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    p('intermediate.csr'),
    '-CA',
    p('root.pem'),
    '-CAkey',
    p('root.key'),
    '-set_serial',
    '77',
    '-days',
    '30',
    '-extfile',
    p('ca.ext'),
    '-out',
    p('intermediate.pem'),
  );
  const read = (name: string) => readFile(p(name), 'utf8');
  const intermediatePem = await read('intermediate.pem');

  const issue = async (options: IssueOptions): Promise<IssuedCertificate> => {
    const stem = options.name.replace(/[^A-Za-z0-9.-]/g, '_');
    const keyArgs =
      options.keyType === 'rsa'
        ? ['-newkey', 'rsa:2048']
        : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    await openssl(
      'req',
      ...keyArgs,
      '-nodes',
      '-keyout',
      p(`${stem}.key`),
      '-out',
      p(`${stem}.csr`),
      '-subj',
      `/CN=${options.name}`,
    );
    const ext = [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'authorityKeyIdentifier=keyid',
      ...(options.sans && options.sans.length > 0
        ? [`subjectAltName=${options.sans.join(',')}`]
        : []),
    ];
    await writeFile(p(`${stem}.ext`), `${ext.join('\n')}\n`);
    const issuer = options.issuer ?? 'intermediate';
    const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
    const notAfter =
      options.notAfter ?? new Date(notBefore.getTime() + (options.days ?? 10) * 86_400_000);
    await openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      p('ca.cnf'),
      '-cert',
      p(`${issuer}.pem`),
      '-keyfile',
      p(`${issuer}.key`),
      '-in',
      p(`${stem}.csr`),
      '-out',
      p(`${stem}.pem`),
      '-extfile',
      p(`${stem}.ext`),
      '-startdate',
      caDate(notBefore),
      '-enddate',
      caDate(notAfter),
    );
    const certPem = await read(`${stem}.pem`);
    const chainPem = issuer === 'intermediate' ? certPem + intermediatePem : certPem;
    await writeFile(p(`${stem}.chain.pem`), chainPem);
    const { stdout } = await openssl('x509', '-in', p(`${stem}.pem`), '-noout', '-serial');
    return {
      certPath: p(`${stem}.pem`),
      chainPath: p(`${stem}.chain.pem`),
      keyPath: p(`${stem}.key`),
      certPem,
      chainPem,
      keyPem: await read(`${stem}.key`),
      serial: stdout
        .trim()
        .replace(/^serial=/, '')
        .toUpperCase(),
    };
  };

  return {
    dir,
    rootPem: await read('root.pem'),
    rootPath: p('root.pem'),
    intermediatePem,
    strangerPem: await read('stranger.pem'),
    issue,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
