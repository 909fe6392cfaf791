// Helpers for tests that need a Kubernetes cluster: the shared control plane started by the
// global setup, reached through its kubeconfig, real kubectl, and namespaces that clean up
// after the test that made them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';

/** Environment variable carrying the kubeconfig path from the global setup to test files. */
export const kubeconfigVariable = 'MESHACCESS_TEST_KUBECONFIG';
/** Environment variable naming the kubectl to run; default `kubectl` from PATH. */
export const kubectlVariable = 'MESHACCESS_TEST_KUBECTL';

/** The kubeconfig of the cluster under test; throws when the run has no cluster. */
export function kubeconfigPath(): string {
  const path = process.env[kubeconfigVariable];
  if (path === undefined || path === '') {
    throw new Error(
      `${kubeconfigVariable} is not set: run cluster tests through \`npm test\`, or with ` +
        '`node --test --test-global-setup=./test/helpers/global-setup.ts FILE`',
    );
  }
  return path;
}

/** A client configuration for the cluster under test. */
export function kubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath());
  return config;
}

/** What kubectl printed. */
export type KubectlResult = { readonly stdout: string; readonly stderr: string };

/**
 * Runs real kubectl against the cluster under test, with `input` on stdin when given; rejects
 * with kubectl's error output when it exits non-zero.
 */
export function kubectl(args: readonly string[], options: { input?: string } = {}) {
  const command = process.env[kubectlVariable] ?? 'kubectl';
  return new Promise<KubectlResult>((resolve, reject) => {
    const child = spawn(command, ['--kubeconfig', kubeconfigPath(), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Creates a namespace named `PREFIX-RANDOM` and deletes it (without waiting) once the current
 * test, or the file when called outside a test, is done.
 */
export async function createTestNamespace(prefix: string): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `${base.slice(0, 50) || 'test'}-${randomBytes(4).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  after(async () => {
    await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
  });
  return name;
}
