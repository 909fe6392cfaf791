// Builds the two CustomResourceDefinitions from the schema objects. The YAML
// files in crds/ are this module's output (scripts/generate-crds.ts); a unit
// test fails when they drift.
import { stringify } from 'yaml';
import { GROUP, VERSION } from './types.ts';
import type { SchemaProps } from './schema-types.ts';
import { meshAccessGrantSchema, meshBackendSchema } from './schema.ts';

interface PrinterColumn {
  name: string;
  type: 'string' | 'date' | 'integer';
  jsonPath: string;
  description: string;
}

interface KindNames {
  kind: string;
  plural: string;
  shortName: string;
}

const readyStatus = '.status.conditions[?(@.type=="Ready")].status';
const readyReason = '.status.conditions[?(@.type=="Ready")].reason';

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

function column(name: string, jsonPath: string, description: string): PrinterColumn {
  return { name, type: 'string', jsonPath, description };
}

/** Printer columns of `kubectl get meshbackends`. */
const backendColumns: PrinterColumn[] = [
  column('Phase', '.status.phase', 'Where the mTLS rollout is.'),
  column('Ready', readyStatus, 'Whether the latest spec is live.'),
  column('Reason', readyReason, 'Why it is or is not ready.'),
  column('BackendService', '.spec.backendService', 'The protected BackendService.'),
  age,
];

/** Printer columns of `kubectl get meshaccessgrants`. */
const grantColumns: PrinterColumn[] = [
  column('Backend', '.spec.backendRef.name', 'The MeshBackend this grant opens.'),
  column('Ready', readyStatus, 'Whether the grant is enforced.'),
  column('Reason', readyReason, 'Why it is or is not ready.'),
  age,
];

// The API server refuses anything but a bare `type: object` on metadata, even a
// description, so the envelope is not a SchemaProps.
function withEnvelope(schema: SchemaProps): object {
  return {
    ...schema,
    properties: {
      apiVersion: { type: 'string', description: 'API version: meshaccess.io/v1alpha1.' },
      kind: { type: 'string', description: 'Kind of the object.' },
      metadata: { type: 'object' },
      ...schema.properties,
    },
  };
}

function crd(names: KindNames, schema: SchemaProps, columns: PrinterColumn[]): object {
  const spec = {
    group: GROUP,
    names: {
      kind: names.kind,
      listKind: `${names.kind}List`,
      plural: names.plural,
      singular: names.kind.toLowerCase(),
      shortNames: [names.shortName],
      categories: ['meshaccess'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: columns,
        schema: { openAPIV3Schema: withEnvelope(schema) },
      },
    ],
  };
  const object = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}` },
    spec,
  };
  // The JSON round trip drops each CEL rule's TypeScript twin (a function) and
  // the `transition` marker, which only the offline validator reads.
  const json = JSON.stringify(object, (key, value: unknown) =>
    key === 'transition' ? undefined : value,
  );
  return JSON.parse(json) as object;
}

/** The MeshBackend CRD as a plain object. */
export function meshBackendCrd(): object {
  const names = { kind: 'MeshBackend', plural: 'meshbackends', shortName: 'mb' };
  return crd(names, meshBackendSchema, backendColumns);
}

/** The MeshAccessGrant CRD as a plain object. */
export function meshAccessGrantCrd(): object {
  const names = { kind: 'MeshAccessGrant', plural: 'meshaccessgrants', shortName: 'mag' };
  return crd(names, meshAccessGrantSchema, grantColumns);
}

const HEADER =
  '# Generated from src/api/schema.ts by `npm run generate:crds`. Do not edit by hand.\n';

/** The CRD files to write under crds/, keyed by file name. */
export function crdFiles(): Record<string, string> {
  const render = (o: object) => HEADER + stringify(o, { lineWidth: 0 });
  return {
    'meshbackends.yaml': render(meshBackendCrd()),
    'meshaccessgrants.yaml': render(meshAccessGrantCrd()),
  };
}
