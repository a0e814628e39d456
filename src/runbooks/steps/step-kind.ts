import type { z } from 'zod';
import type { ServiceConfig } from '../../config/config.ts';
import type { NotifyFn } from '../../decisions/action-port.ts';
import type { KubeNeed } from '../../kubernetes/access/permission.ts';
import type { LeadSignal } from '../../policy/types.ts';
import type { Store } from '../../store/store.ts';
import type { ExternalRun } from '../journal.ts';
import type { TemplateValues } from '../template-values.ts';

/** Where a step kind may appear: `evidence` (before acting) and/or `steps` and `onFailure`. */
export type StepSection = 'evidence' | 'action';

/** What preparing a step may use: the values templates are rendered with, and the secrets. */
export interface PrepareContext {
  values: TemplateValues;
  /** The value of a `valueFrom` secret; throws a Refusal when it could not be read. */
  secret(source: unknown): string;
}

/** What a step may use while it runs. A step holds no retry logic: the executor retries. */
export interface StepContext {
  /** The step's timeout in ms; `signal` is aborted when it passes or when mend stops. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Upper bound on captured output in bytes. */
  maxOutputBytes: number;
  service: ServiceConfig | undefined;
  lead: LeadSignal | undefined;
  store: Pick<Store, 'listSignals'>;
  notify: NotifyFn | undefined;
  /** `${runId}:${section}:${index}:${attempt}`, for a step that passes it on (notify). */
  key: string;
  runId: string;
  now(): number;
  /** For a kind that starts a run elsewhere (`startsExternalRun`): see ExternalRuns. */
  external?: ExternalRuns;
}

/**
 * Where an attempt that starts a run on another system (a pipeline) got to, and how it records
 * the next stage. `last` is the newest record of this attempt (a resumed attempt: what the mend
 * that died had learned; a fresh one: undefined). `record` journals a stage durably, and must
 * be called before the step waits on it, so a mend killed while waiting follows the same run.
 */
export interface ExternalRuns {
  last: ExternalRun | undefined;
  record(run: Omit<ExternalRun, 'at'>): Promise<void>;
}

/**
 * How one attempt of a step went. Expected failures are data here, not exceptions. `status` is
 * the protocol's own (exit code, HTTP status); `data` is structured evidence (observations,
 * response headers); `inconclusive` means the step could not tell (verify with nothing to
 * verify): the run then ends with outcome unknown rather than a rollback.
 */
export interface StepResult {
  ok: boolean;
  error?: string;
  status?: number | string;
  output?: string;
  data?: unknown;
  inconclusive?: boolean;
}

/**
 * One kind of runbook step. The Runbook schema is built from the table of these (registry.ts,
 * through src/documents.ts): a new kind is one file and one line there. `prepare` renders templates and reads secrets, so
 * what the journal records as the intent (`describe`) is exactly what runs; it throws a Refusal
 * when a value may not be used (a flag where none is allowed, a missing label).
 */
export interface StepKind<Spec = unknown, Prepared = unknown> {
  /** The key under a step that selects this kind: `exec:`, `http:`, ... */
  readonly name: string;
  readonly summary: string;
  readonly spec: z.ZodType<Spec>;
  readonly sections: readonly StepSection[];
  /** The default of the step's `idempotent`: may it run again after mend died mid-way? */
  readonly idempotent: boolean;
  /** The default of the step's `timeout`, in ms. */
  defaultTimeoutMs(spec: Spec): number;
  prepare(spec: Spec, ctx: PrepareContext): Prepared;
  /** What the journal records as the step's intent: argv, URL, ... (secrets are redacted after). */
  describe(prepared: Prepared): Record<string, unknown>;
  /** That intent in one line for a person (the live view): `GET http://...`, `wait 500 ms`. */
  summarize(command: Record<string, unknown>): string;
  /** What the step's `exitStatus` is, in words: `exit` (a code) by default, `status` for HTTP. */
  readonly statusName?: string;
  /**
   * The kind starts a run on another system and records it (StepContext.external) before it
   * waits: an attempt cut by a crash after its first record is resumed (the same run followed),
   * whatever `idempotent` says; cut before it, the usual rule holds.
   */
  readonly startsExternalRun?: boolean;
  /** A passing step of this kind proves the heal worked: a runbook needs one (verify). */
  readonly verifies?: boolean;
  /**
   * A Kubernetes kind: every request it may make, as RBAC permissions (verb, group, resource,
   * subresource), in the namespace it acts in (`spec.namespace`, else the service's) or at the
   * cluster scope. `mend kubernetes rbac` prints the Roles from these, and the preflight checks
   * them before a run's first step: a kind that asks for more than it declares gets a 403.
   */
  readonly kubernetes?: { needs(spec: Spec): readonly KubeNeed[] };
  execute(prepared: Prepared, ctx: StepContext): Promise<StepResult>;
  /**
   * The same step asking its tool what it would change, changing nothing (ansible: `--check
   * --diff`). A dry run executes what this returns; a kind without it is only rendered there.
   */
  checkMode?(prepared: Prepared): Prepared;
}

/** Helper so each kind file gets its Spec type inferred from its schema. */
export function defineStepKind<S extends z.ZodType, P>(
  kind: StepKind<z.output<S>, P> & { spec: S },
): StepKind<z.output<S>, P> {
  return kind;
}
