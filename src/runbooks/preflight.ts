import type { RunbookConfig, RunbookStepConfig } from '../config/config.ts';
import type { Section } from './journal.ts';
import { findStepKind } from './steps/registry.ts';
import type { PrepareContext } from './steps/step-kind.ts';
import { Refusal } from './template-values.ts';

/** One step as it would run: prepared (templates rendered, secrets read), or why it cannot be. */
export type PreparedStep =
  | { section: Section; index: number; step: RunbookStepConfig; prepared: unknown }
  | { section: Section; index: number; step: RunbookStepConfig; refused: string };

/**
 * Every step of the runbook prepared with this run's values, in order: what `mend runbook run
 * --dry-run` shows, and what a run checks before its first step, so that a value that would be
 * refused at step 3 stops the run before step 0 (a non-idempotent POST, say) has run.
 */
export function prepareAll(runbook: RunbookConfig, context: PrepareContext): PreparedStep[] {
  const sections: [Section, readonly RunbookStepConfig[]][] = [
    ['evidence', runbook.evidence],
    ['steps', runbook.steps],
    ['onFailure', runbook.onFailure],
  ];
  return sections.flatMap(([section, steps]) =>
    steps.map((step, index) => {
      const kind = findStepKind(step.kind);
      try {
        if (!kind) throw new Refusal(`unknown step kind ${step.kind}`);
        return { section, index, step, prepared: kind.prepare(step.spec, context) };
      } catch (err) {
        const refused =
          err instanceof Refusal ? err.message : `cannot prepare: ${(err as Error).message}`;
        return { section, index, step, refused };
      }
    }),
  );
}

/**
 * Every action step (steps, onFailure) that would be refused, each in words; empty when all
 * render. An evidence step that would be refused does not stop the run: evidence never blocks.
 */
export function refusals(runbook: RunbookConfig, context: PrepareContext): string[] {
  return prepareAll(runbook, context).flatMap((step) =>
    step.section !== 'evidence' && 'refused' in step
      ? [`${step.section}[${step.index}] ${step.step.name} would be refused: ${step.refused}`]
      : [],
  );
}
