// The kubeconfig handed to users of a local control plane: credentials are embedded, so the file
// keeps working if it is copied away from the control plane's folder.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** Where the API server is and which files hold the credentials to reach it. */
export type KubeconfigSource = {
  readonly server: string;
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Name used for the cluster, user and context entries. */
  readonly name: string;
};

async function base64File(path: string): Promise<string> {
  return (await readFile(path)).toString('base64');
}

/** Renders a kubeconfig document whose current context is the given cluster and user. */
export async function renderKubeconfig(source: KubeconfigSource): Promise<string> {
  const { name } = source;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: source.server,
          'certificate-authority-data': await base64File(source.caCert),
        },
      },
    ],
    users: [
      {
        name,
        user: {
          'client-certificate-data': await base64File(source.clientCert),
          'client-key-data': await base64File(source.clientKey),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}

/** Writes a kubeconfig to `path` atomically (readers never see half a file). */
export async function writeKubeconfig(path: string, source: KubeconfigSource): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, await renderKubeconfig(source), { mode: 0o600 });
  await rename(temporary, path);
}
