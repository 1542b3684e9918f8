import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivateCa {
  /** PEM of the CA certificate: what `caBundle` gets. */
  readonly caPem: string;
  /** The CA's subject common name, as TLS errors should name it. */
  readonly caName: string;
  /** A server certificate for 127.0.0.1 / localhost / `*.airlock.test`, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A self-signed certificate for the same names, from an issuer nobody trusts. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  readonly dir: string;
  remove(): Promise<void>;
}

/** Generates a throwaway private CA and server certificates with openssl, in a temp folder. */
export async function createPrivateCa(caName = 'Airlock Test Root CA'): Promise<PrivateCa> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-ca-'));
  const p = (name: string) => join(dir, name);
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.airlock.test',
  ].join('\n');
  await writeFile(p('server.ext'), `${ext}\n`);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${caName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    '2',
    '-extfile',
    p('server.ext'),
  );
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('stranger.key'),
    '-out',
    p('stranger.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Stranger Self-Signed',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  );
  const read = (name: string) => readFile(p(name), 'utf8');
  return {
    caPem: await read('ca.pem'),
    caName,
    serverCert: await read('server.pem'),
    serverKey: await read('server.key'),
    strangerCert: await read('stranger.pem'),
    strangerKey: await read('stranger.key'),
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
