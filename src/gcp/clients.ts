// The official Google client libraries the controller talks through, built in
// one place. With an endpoint (the emulator) every client is pointed at that
// root URL and given credentials that need no lookup: the discovery clients
// get a plain string as `auth` (sent as an API key parameter) and the compute
// clients get a PassThroughClient. Without an endpoint they use Application
// Default Credentials. The two discovery APIs and monitoring are imported by
// module path because the package index loads hundreds of APIs.

import {
  BackendServicesClient,
  GlobalOperationsClient,
  HealthChecksClient,
} from '@google-cloud/compute';
import { GoogleAuth, PassThroughClient } from 'google-auth-library';
import { monitoring_v1 } from 'googleapis/build/src/apis/monitoring/v1.js';
import { networksecurity_v1 } from 'googleapis/build/src/apis/networksecurity/v1.js';
import { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';

/** The clients the controller uses, all aimed at one Google Cloud (real or emulated). */
export interface GcpClients {
  networksecurity: networksecurity_v1.Networksecurity;
  networkservices: networkservices_v1.Networkservices;
  monitoring: monitoring_v1.Monitoring;
  backendServices: BackendServicesClient;
  globalOperations: GlobalOperationsClient;
  healthChecks: HealthChecksClient;
  /** Releases the compute clients' connections. */
  close(): Promise<void>;
}

/** Where the clients send requests. */
export interface GcpClientOptions {
  /** Root URL for every Google API, e.g. the emulator's `http://127.0.0.1:8085`. */
  endpoint?: string;
}

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/** The API key string the discovery clients send to an emulator; never a real key. */
const EMULATOR_API_KEY = 'emulator';

/** Builds every client; with an endpoint, no credential lookup ever happens. */
export function createGcpClients(options: GcpClientOptions = {}): GcpClients {
  const endpoint = options.endpoint;
  return endpoint === undefined ? productionClients() : emulatorClients(new URL(endpoint));
}

function emulatorClients(url: URL): GcpClients {
  const rootUrl = `${url.protocol}//${url.host}/`;
  const discovery = { rootUrl, auth: EMULATOR_API_KEY };
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const compute = {
    apiEndpoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    protocol: url.protocol.replace(':', ''),
    authClient: new PassThroughClient() as unknown as ComputeAuth,
    fallback: true,
  };
  return assemble(
    {
      networksecurity: new networksecurity_v1.Networksecurity(discovery),
      networkservices: new networkservices_v1.Networkservices(discovery),
      monitoring: new monitoring_v1.Monitoring(discovery),
    },
    compute,
  );
}

// google-auth-library is installed twice (ours and the copy the client libraries
// pin), so their class types differ although the objects behave the same.
type DiscoveryAuth = networksecurity_v1.Options['auth'];
type ComputeAuth = NonNullable<ComputeOptions>['authClient'];

function productionClients(): GcpClients {
  const auth = new GoogleAuth({ scopes: SCOPES }) as unknown as DiscoveryAuth;
  return assemble(
    {
      networksecurity: new networksecurity_v1.Networksecurity({ auth }),
      networkservices: new networkservices_v1.Networkservices({ auth }),
      monitoring: new monitoring_v1.Monitoring({ auth }),
    },
    { fallback: true },
  );
}

type ComputeOptions = ConstructorParameters<typeof BackendServicesClient>[0];

function assemble(
  discovery: Pick<GcpClients, 'networksecurity' | 'networkservices' | 'monitoring'>,
  compute: ComputeOptions,
): GcpClients {
  const backendServices = new BackendServicesClient(compute);
  const globalOperations = new GlobalOperationsClient(compute);
  const healthChecks = new HealthChecksClient(compute);
  return {
    ...discovery,
    backendServices,
    globalOperations,
    healthChecks,
    async close() {
      await Promise.all([backendServices.close(), globalOperations.close(), healthChecks.close()]);
    },
  };
}
