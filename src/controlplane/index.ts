// The local Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager built from
// their Go modules, cached outside the work tree, and run on loopback ports. Used by the test
// harness and by `meshaccess dev`.
export { ensureBinaries, defaultCacheRoot, type EnsureBinariesOptions } from './binaries.ts';
export { startControlPlane, type StartControlPlaneOptions } from './start.ts';
export type {
  ControlPlane,
  ControlPlaneBinaries,
  ControlPlaneExit,
  ControlPlaneLog,
  ControlPlaneProcess,
} from './types.ts';
