// Everything the emulator holds in memory. Handlers read and change it; the
// admin API resets it. Each accepted write is appended to the write log and
// announced to listeners (the traffic simulation recomputes who can talk to
// whom at that instant).

import type { Clock } from './clock.ts';
import { rfc3339Micros } from './clock.ts';
import { defaultProjectNumber, IdSource } from './ids.ts';
import type { OperationRecord } from './operations.ts';

/** A networksecurity or networkservices resource as stored. */
export interface MeshResource {
  /** `projects/P/locations/L/<collection>/<id>`, with the project id. */
  name: string;
  collection: string;
  project: string;
  location: string;
  id: string;
  /** The user-settable fields, defaults already omitted. */
  body: Record<string, unknown>;
  createTime: number;
  updateTime: number;
}

/** A compute resource (BackendService or HealthCheck) as stored. */
export interface ComputeResource {
  collection: 'backendServices' | 'healthChecks';
  project: string;
  name: string;
  id: string;
  /** The resource as rendered, without `fingerprint`. */
  body: Record<string, unknown>;
  createdAt: number;
  generation: number;
  fingerprint: string;
}

/** One write the emulator accepted, in the order it accepted them. */
export interface WriteRecord {
  seq: number;
  time: string;
  api: 'networksecurity' | 'networkservices' | 'compute';
  verb: string;
  resource: string;
  /** The resource after defaults, or null for a delete. */
  body: Record<string, unknown> | null;
}

type Listener = (now: number) => void;

/** The emulator's whole memory. */
export class EmulatorState {
  readonly clock: Clock;
  readonly ids = new IdSource();
  /** Keyed by full resource name. */
  readonly mesh = new Map<string, MeshResource>();
  /** Keyed by `projects/P/global/<collection>/<name>`. */
  readonly compute = new Map<string, ComputeResource>();
  /** Keyed by operation id; one namespace for every API. */
  readonly operations = new Map<string, OperationRecord>();
  readonly writes: WriteRecord[] = [];
  readonly projectNumbers = new Map<string, string>();
  readonly #listeners: Listener[] = [];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Registers a function called after every accepted write and every reset. */
  onChange(listener: Listener): void {
    this.#listeners.push(listener);
  }

  /** Appends an accepted write to the log and tells the listeners. */
  recordWrite(write: Omit<WriteRecord, 'seq' | 'time'>): void {
    const now = this.clock.now();
    this.writes.push({ ...write, seq: this.writes.length + 1, time: rfc3339Micros(now) });
    this.changed();
  }

  /** Tells the listeners that something that affects traffic changed. */
  changed(): void {
    const now = this.clock.now();
    for (const listener of this.#listeners) listener(now);
  }

  /** The number of a project (by id); ids map to a stable invented number by default. */
  projectNumber(projectId: string): string {
    return this.projectNumbers.get(projectId) ?? defaultProjectNumber(projectId);
  }

  /** The project id for an id or a number; unknown numbers are returned unchanged. */
  projectId(idOrNumber: string): string {
    if (!/^\d+$/.test(idOrNumber)) return idOrNumber;
    for (const [id, number] of this.projectNumbers) if (number === idOrNumber) return id;
    for (const project of this.knownProjects()) {
      if (defaultProjectNumber(project) === idOrNumber) return project;
    }
    return idOrNumber;
  }

  /** Drops every resource, operation and log entry (listeners stay registered). */
  reset(): void {
    this.mesh.clear();
    this.compute.clear();
    this.operations.clear();
    this.writes.length = 0;
    this.projectNumbers.clear();
    this.ids.reset();
    this.changed();
  }

  private knownProjects(): Set<string> {
    const projects = new Set<string>();
    for (const r of this.mesh.values()) projects.add(r.project);
    for (const r of this.compute.values()) projects.add(r.project);
    return projects;
  }
}
