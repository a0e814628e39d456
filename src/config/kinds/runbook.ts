import { z } from 'zod';
import { isSecretRef } from '../../secrets/secret-ref.ts';
import { hash32, stableJson } from '../../support/stable-hash.ts';
import type { RunbookConfig, RunbookStepConfig } from '../config.ts';
import { checkTemplate } from '../template.ts';
import type { ValidDocument } from '../valid-document.ts';
import { type DocumentKind, defineDocumentKind } from './document-kind.ts';
import { duration, parseDuration } from './duration.ts';
import { exactlyOneKind, kindFields, type PluggedStepKind } from './plugged-kind.ts';
import { declarationErrors, PARAM_NAME, type ParamSpec, paramSpec } from './runbook-params.ts';

type StepSection = PluggedStepKind['sections'][number];

/** Every default of a Runbook, in one place: the schema and the reference doc read them here. */
export const RUNBOOK_DEFAULTS = {
  maxOutputBytes: 64 * 1024,
  retries: 0,
  retryBackoff: '1s',
};

const stepFields = {
  name: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'What the step does, for the live view and the incident timeline. Default: its kind.',
    ),
  timeout: duration({ min: '10ms', max: '6h' })
    .optional()
    .describe(
      'The step is stopped (a command’s whole process group killed) after this long. For verify and the pipeline kinds it is the deadline. Defaults per kind: exec 1m, http 30s (10m with poll), ansible 10m, githubWorkflow, gitlabPipeline and jenkinsBuild 30m, verify 1m, notify 30s, wait its duration + 1s, evidence kinds 10s.',
    ),
  retries: z
    .int()
    .min(0)
    .max(10)
    .default(RUNBOOK_DEFAULTS.retries)
    .describe('Further attempts after a failed one. Default 0.'),
  retryBackoff: duration({ min: '10ms', max: '10m' })
    .default(RUNBOOK_DEFAULTS.retryBackoff)
    .describe(
      'Wait before the first retry, doubled before each next one (at most 1m). Default `1s`.',
    ),
  idempotent: z
    .boolean()
    .optional()
    .describe(
      'May the step run again when mend died while it ran? If false and that happens, the run stops with outcome unknown and the engine escalates. Default false for exec, http, ansible and the pipeline kinds, true for the other kinds. A pipeline kind that recorded the run it started is resumed either way: it follows that run and starts none.',
    ),
};

/** One step: the common fields plus exactly one kind key (`exec:`, `http:`, ...). */
function stepSchema(section: StepSection, stepKinds: readonly PluggedStepKind[]) {
  const kinds = stepKinds.filter((kind) => kind.sections.includes(section));
  const step = z.strictObject({ ...stepFields, ...kindFields(kinds, 'step kind') });
  return exactlyOneKind(step, kinds, 'step kind');
}

/** A step as validated: the common fields plus its kind's key (`exec: {...}`). */
type StepInput = z.output<ReturnType<typeof stepSchema>> & Record<string, unknown>;

export interface RunbookSpec {
  description?: string | undefined;
  params: Record<string, ParamSpec>;
  maxOutputBytes: number;
  evidence: StepInput[];
  steps: StepInput[];
  onFailure: StepInput[];
}

function runbookSpec(stepKinds: readonly PluggedStepKind[]): z.ZodType<RunbookSpec> {
  return (
    z
      .strictObject({
        description: z.string().optional().describe('What the runbook does and when to use it.'),
        params: z
          .record(
            z.string().regex(PARAM_NAME, { error: 'expected a param name (letters, digits, _)' }),
            paramSpec,
          )
          .default({})
          .describe(
            'Declared parameters, by name: `type` (string, integer, boolean; default string), `default` (unset: required), `pattern` (a regex the whole value must match), `enum`, `allowLeadingDash` (default false: a string beginning with "-" is refused), `description`. A heal whose params do not validate does not run: it is recorded and reported failed, and the engine escalates.',
          ),
        maxOutputBytes: z
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(RUNBOOK_DEFAULTS.maxOutputBytes)
          .describe('Output kept per step (more is cut, with a marker). Default 65536.'),
        evidence: z
          .array(stepSchema('evidence', stepKinds))
          .default([])
          .describe(
            'Steps run before acting, to keep the state before the fix: command output, HTTP dumps, the last observations, a log tail. One that fails is recorded and does not block the heal.',
          ),
        steps: z
          .array(stepSchema('action', stepKinds))
          .min(1)
          .describe(
            'The heal, in order; the first failure runs onFailure. Must include a verify step: only a verified heal is succeeded.',
          ),
        onFailure: z
          .array(stepSchema('action', stepKinds))
          .default([])
          .describe(
            'A rollback, run when a step fails; the heal is then reported failed and escalated.',
          ),
      })
      // Only once every field is valid: the cross-checks read the fields as their types say.
      .superRefine((spec, ctx) =>
        crossCheck(spec as RunbookSpec, ctx, stepKinds),
      ) as z.ZodType<RunbookSpec>
  );
  // (StepInput's kind keys come from the table: the inferred type cannot name them.)
}

/** Checks across fields: defaults against their params, templates against the declared params, a verify step. */
function crossCheck(
  spec: RunbookSpec,
  ctx: z.RefinementCtx,
  stepKinds: readonly PluggedStepKind[],
): void {
  const kindOf = (step: StepInput) => kindSpecOf(step, stepKinds);
  const declared = Object.keys(spec.params);
  for (const [name, param] of Object.entries(spec.params)) {
    for (const error of declarationErrors(param)) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', name, ...error.path],
        message: error.message,
      });
    }
  }
  for (const section of ['evidence', 'steps', 'onFailure'] as const) {
    spec[section].forEach((step, i) => {
      const found = kindOf(step);
      for (const { path, text } of strings(found?.spec, [found?.kind.name ?? ''])) {
        const error = checkTemplate(text, declared);
        if (error) ctx.addIssue({ code: 'custom', path: [section, i, ...path], message: error });
      }
    });
  }
  if (!spec.steps.some((step) => kindOf(step)?.kind.verifies)) {
    const verifying = stepKinds.filter((kind) => kind.verifies).map((kind) => kind.name);
    ctx.addIssue({
      code: 'custom',
      path: ['steps'],
      message: `expected a ${verifying.join(' or ')} step among the steps (a heal is succeeded only when the check that fired passes again), found none`,
    });
  }
}

/** Every string in a step kind's spec with its path: where templates may be. Secrets are not templates. */
function strings(
  value: unknown,
  path: (string | number)[],
): { path: (string | number)[]; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (isSecretRef(value)) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, [...path, key]));
  }
  return [];
}

function kindSpecOf(
  step: StepInput,
  stepKinds: readonly PluggedStepKind[],
): { kind: PluggedStepKind; spec: unknown } | undefined {
  for (const [key, value] of Object.entries(step)) {
    const kind = stepKinds.find((k) => k.name === key);
    if (kind && value !== undefined) return { kind, spec: value };
  }
  return undefined;
}

function runbookConfig(
  document: ValidDocument<RunbookSpec>,
  stepKinds: readonly PluggedStepKind[],
): RunbookConfig {
  const { spec } = document;
  const step = (input: StepInput) => stepConfig(input, stepKinds);
  const body = {
    params: spec.params,
    maxOutputBytes: spec.maxOutputBytes,
    evidence: spec.evidence.map(step),
    steps: spec.steps.map(step),
    onFailure: spec.onFailure.map(step),
  };
  return {
    name: document.metadata.name,
    labels: document.metadata.labels,
    description: spec.description,
    ...body,
    revision: hash32(stableJson(body)).toString(16).padStart(8, '0'),
    source: document.position,
  };
}

function stepConfig(step: StepInput, stepKinds: readonly PluggedStepKind[]): RunbookStepConfig {
  const { kind, spec } = kindSpecOf(step, stepKinds)!;
  return {
    name: step.name ?? kind.name,
    kind: kind.name,
    spec,
    verifies: kind.verifies === true,
    timeoutMs:
      step.timeout === undefined
        ? kind.defaultTimeoutMs(spec as never)
        : parseDuration(step.timeout)!,
    retries: step.retries,
    retryBackoffMs: parseDuration(step.retryBackoff)!,
    idempotent: step.idempotent ?? kind.idempotent,
  };
}

/** The Runbook kind, its steps built from the step kinds given (src/runbooks/steps/). */
export function runbookKind(
  stepKinds: readonly PluggedStepKind[],
): DocumentKind<RunbookSpec, RunbookConfig> {
  return defineDocumentKind({
    kind: 'Runbook',
    summary:
      'A declared, replayable heal: typed params, evidence captured first, typed steps (exec, http, ansible, wait, verify, notify), and a rollback. Each step is journaled before it runs and after.',
    spec: runbookSpec(stepKinds),
    section: 'runbooks',
    build: (document) => runbookConfig(document, stepKinds),
  });
}
