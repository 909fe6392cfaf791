// Builds a running controller from its configuration.

import { Cloud } from '../gcp/cloud.ts';
import { createGcpClients } from '../gcp/clients.ts';
import type { Logger } from '../util/log.ts';
import type { ControllerConfig } from './config.ts';
import { Controller } from './controller.ts';
import { Kube, loadKubeConfig } from './kube.ts';
import { createMetrics } from './metrics.ts';

/** Starts the controller; the returned function stops it and releases its clients. */
export async function startController(
  config: Readonly<ControllerConfig>,
  log: Logger,
): Promise<{ controller: Controller; stop: () => Promise<void> }> {
  const metrics = createMetrics();
  const clients = createGcpClients(
    config.gcpEndpoint === undefined ? {} : { endpoint: config.gcpEndpoint },
  );
  const cloud = new Cloud(clients, {
    operationTimeoutMs: config.operationTimeoutMs,
    observe: (method, code) => metrics.googleCalls.inc({ method, code: String(code) }),
  });
  const kube = new Kube(loadKubeConfig(config.kubeconfig), log, config.namespace);
  const controller = new Controller({ config, kube, cloud, log, metrics });
  await controller.start();
  return {
    controller,
    stop: async () => {
      await controller.stop();
      await clients.close();
    },
  };
}
