import type { z } from 'zod';

/**
 * A kind of thing inside a document: the probe of a check, a step of a runbook, the kind of a
 * notifier. It is selected by its key (`http:`, `exec:`, `slack:`) and brings its schema. The
 * kinds themselves live with the code that runs them (src/signals/probes, src/runbooks/steps,
 * src/notify/kinds); config sees only this much of them, so it loads none of that code.
 */
export interface PluggedKind {
  /** The key that selects the kind. */
  readonly name: string;
  readonly summary: string;
  readonly spec: z.ZodType;
}

/** What the Runbook kind needs of a step kind, besides its key and schema. */
export interface PluggedStepKind extends PluggedKind {
  /** Where it may appear: `evidence` (before acting) and/or `action` (steps and onFailure). */
  readonly sections: readonly ('evidence' | 'action')[];
  /** The default of the step's `idempotent`: may it run again after mend died mid-way? */
  readonly idempotent: boolean;
  /** The default of the step's `timeout`, in ms. */
  defaultTimeoutMs(spec: never): number;
  /** A passing step of this kind proves the heal worked (verify); a runbook needs one. */
  readonly verifies?: boolean;
}
