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

/** The schema fields of plugged kinds: each kind's key, optional, described by its summary. */
export function kindFields(kinds: readonly PluggedKind[], what: string): Record<string, z.ZodType> {
  return Object.fromEntries(
    kinds.map((kind) => [
      kind.name,
      kind.spec.optional().describe(`${kind.summary} (${what} \`${kind.name}\`)`),
    ]),
  );
}

/**
 * A document part that holds exactly one of the plugged kinds' keys (a check's probe, a step's
 * kind, a notifier's kind): the error when it holds none or several, at the key to remove, and
 * the same rule as `oneOf` in the JSON Schema, which cannot see a zod refinement.
 */
export function exactlyOneKind<T extends z.ZodType>(
  schema: T,
  kinds: readonly PluggedKind[],
  what: string,
): T {
  const names = kinds.map((kind) => kind.name).join(', ');
  return schema
    .superRefine(
      (value, ctx) => {
        const present = kinds.filter((kind) => (value as Record<string, unknown>)[kind.name]);
        if (present.length === 1) return;
        ctx.addIssue({
          code: 'custom',
          path: present.length > 1 ? [present[1]!.name] : [],
          message:
            present.length === 0
              ? `expected exactly one ${what} (${names}), found none`
              : `expected exactly one ${what} (${names}), found ${present.map((k) => k.name).join(' and ')}`,
        });
      },
      // Run even when another field is wrong, so one pass reports every problem.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    )
    .meta({ oneOf: kinds.map((kind) => ({ required: [kind.name] })) });
}
