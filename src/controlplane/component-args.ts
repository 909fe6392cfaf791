// Command lines of the three control plane components. Only loopback addresses appear here, and
// nothing assumes a cloud, a kubelet or a network plugin.
import type { Pki } from './pki.ts';

/** Name of the cluster, user and context in the kubeconfig, and the controller manager's. */
export const clusterName = 'meshaccess-local';

/** Arguments for a single-member etcd whose store is thrown away after the run. */
export function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--log-level=warn',
    // The store is thrown away at every start, so durability buys nothing and fsync costs a lot.
    '--unsafe-no-fsync',
  ];
}

/** Arguments for a kube-apiserver on loopback with client-certificate auth and RBAC. */
export function apiserverArgs(pki: Pki, etcdPort: number, port: number, certDir: string): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // Endpoints for the `kubernetes` service would point at loopback, which validation rejects.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

/** Arguments for a kube-controller-manager running every default controller. */
export function controllerManagerArgs(pki: Pki, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    // Nothing needs its metrics or health endpoint, and not serving saves a port.
    '--secure-port=0',
    '--leader-elect=false',
    '--controllers=*',
    // Every controller acts as the admin user, so no per-controller credentials are needed.
    '--use-service-account-credentials=false',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    `--cluster-name=${clusterName}`,
    '--profiling=false',
  ];
}
