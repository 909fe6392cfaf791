// Certificates for one local control plane: a throw-away CA, the API server's serving
// certificate for the loopback names, an admin client certificate in group system:masters, and
// the key pair that signs service-account tokens. Node can make keys but not certificates, so
// the keys come from node:crypto and the openssl command signs them.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** File paths of the control plane's key material (all PEM). */
export type Pki = {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
};

// Names the serving certificate covers: loopback, plus the in-cluster names of the API server
// so that a kubeconfig rewritten for them still verifies.
const serverNames = [
  'IP:127.0.0.1',
  'IP:0:0:0:0:0:0:0:1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const hint = missing ? ': the openssl command is not installed' : '';
    throw new Error(`openssl ${args[0] ?? ''} failed${hint}`, { cause: error });
  }
}

async function writeEcKey(path: string): Promise<void> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

function serial(): string {
  // Positive, 64 bits: the high bit cleared keeps the DER integer from reading as negative.
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

type Leaf = { name: string; subject: string; extensions: string[] };

async function signLeaf(dir: string, leaf: Leaf, ca: { cert: string; key: string }) {
  const key = join(dir, `${leaf.name}.key`);
  const csr = join(dir, `${leaf.name}.csr`);
  const ext = join(dir, `${leaf.name}.ext`);
  const cert = join(dir, `${leaf.name}.crt`);
  await writeEcKey(key);
  await writeFile(ext, `${leaf.extensions.join('\n')}\n`);
  await openssl(['req', '-new', '-key', key, '-subj', leaf.subject, '-out', csr]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    serial(),
    '-days',
    '365',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** Writes a fresh set of key material into `dir` and returns the file paths. */
export async function createPki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await writeEcKey(ca.key);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    ca.key,
    '-subj',
    '/CN=meshaccess-local-ca',
    '-days',
    '365',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-out',
    ca.cert,
  ]);
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment';
  const server = await signLeaf(
    dir,
    {
      name: 'apiserver',
      subject: '/CN=kube-apiserver',
      extensions: [usage, 'extendedKeyUsage=serverAuth', `subjectAltName=${serverNames.join(',')}`],
    },
    ca,
  );
  const admin = await signLeaf(
    dir,
    {
      name: 'admin',
      subject: '/O=system:masters/CN=meshaccess-admin',
      extensions: [usage, 'extendedKeyUsage=clientAuth'],
    },
    ca,
  );
  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await writeFile(
    serviceAccountKey,
    serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  await writeFile(
    serviceAccountPub,
    serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }),
  );
  return {
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
