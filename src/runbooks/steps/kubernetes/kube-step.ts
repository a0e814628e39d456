import { z } from 'zod';
import { kubernetesNameProblem } from '../../../config/kinds/kubernetes-target.ts';
import { type HealMark, markOf } from '../../../kubernetes/actions/marks.ts';
import type { ActionReport } from '../../../kubernetes/actions/objects.ts';
import { KubeApiError } from '../../../kubernetes/client/api-error.ts';
import { type KubeClient, kubeClient } from '../../../kubernetes/client/kube-client.ts';
import { renderText } from '../../render.ts';
import { Refusal } from '../../template-values.ts';
import { abortReason } from '../sleep.ts';
import type { PrepareContext, StepContext, StepResult } from '../step-kind.ts';

/** The fields that name a Deployment; each defaults to the Service's `kubernetes` target. */
export const deploymentFields = {
  namespace: z
    .string()
    .min(1)
    .optional()
    .describe('Templates allowed. Default: the service’s `kubernetes.namespace`.'),
  deployment: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The Deployment’s name. Templates allowed. Default: the service’s `kubernetes.name`.',
    ),
  context: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The kubeconfig context. Default: the service’s `kubernetes.context`, else the current one.',
    ),
};

export interface PreparedTarget {
  context: string | undefined;
  namespace: string;
  name: string;
  incident: string | undefined;
}

/** A rendered value checked as a Kubernetes name: never a path, a selector or a flag. */
export function kubeName(
  text: string | undefined,
  fallback: string | undefined,
  sort: 'namespace' | 'name',
  field: string,
  ctx: PrepareContext,
): string {
  const value = text === undefined ? fallback : renderText(text, ctx.values, field);
  if (value === undefined) {
    throw new Refusal(
      `${field}: no value: give ${field} in the step, or spec.kubernetes in the service ${ctx.values.service?.name ?? ''}`.trim(),
    );
  }
  const problem = kubernetesNameProblem(value, sort);
  if (problem) throw new Refusal(`${field}: ${problem}`);
  return value;
}

export function prepareContext(text: string | undefined, ctx: PrepareContext): string | undefined {
  if (text === undefined) return ctx.values.service?.kubernetes?.context;
  const value = renderText(text, ctx.values, 'context');
  if (/[\0\r\n]/.test(value)) throw new Refusal('context: a value may not hold CR, LF or NUL');
  return value;
}

/** The Deployment a step acts on: its own fields, else the service's target. */
export function prepareDeployment(
  spec: {
    namespace?: string | undefined;
    deployment?: string | undefined;
    context?: string | undefined;
  },
  ctx: PrepareContext,
): PreparedTarget {
  const target = ctx.values.service?.kubernetes;
  return {
    context: prepareContext(spec.context, ctx),
    namespace: kubeName(spec.namespace, target?.namespace, 'namespace', 'namespace', ctx),
    name: kubeName(spec.deployment, target?.name, 'name', 'deployment', ctx),
    incident: ctx.values.incidentId,
  };
}

/** One pod by name (templates allowed), in the step's namespace or the service's. */
export function preparePod(
  spec: { namespace?: string | undefined; context?: string | undefined; pod: string },
  ctx: PrepareContext,
): PreparedTarget {
  return {
    context: prepareContext(spec.context, ctx),
    namespace: kubeName(
      spec.namespace,
      ctx.values.service?.kubernetes?.namespace,
      'namespace',
      'namespace',
      ctx,
    ),
    name: kubeName(spec.pod, undefined, 'name', 'pod', ctx),
    incident: ctx.values.incidentId,
  };
}

export const describeTarget = (p: PreparedTarget): Record<string, unknown> => ({
  ...(p.context !== undefined ? { context: p.context } : {}),
  namespace: p.namespace,
  name: p.name,
});

/**
 * Runs one Kubernetes action with the context's client and this step's mark, and turns what
 * happened into a step result: what the API server said is the error, never an exception.
 */
export function runAction(
  p: { context: string | undefined; incident: string | undefined },
  ctx: StepContext,
  action: string,
  act: (client: KubeClient, mark: HealMark) => Promise<ActionReport>,
): Promise<StepResult> {
  return withClient(p.context, ctx, async (client) => {
    const report = await act(client, markOf(ctx.key, p.incident, action));
    return {
      ok: true,
      output: report.message,
      data: { changed: report.changed, ...(report.data ?? {}) },
    };
  });
}

/**
 * The context's client given to `use`; what goes wrong is a failed result. A step whose signal
 * already fired (mend stopping) returns at once: loading the client takes a moment.
 */
export async function withClient(
  context: string | undefined,
  ctx: StepContext,
  use: (client: KubeClient) => Promise<StepResult>,
): Promise<StepResult> {
  if (ctx.signal.aborted) return { ok: false, error: `not started: ${abortReason(ctx.signal)}` };
  let client: KubeClient;
  try {
    client = await kubeClient(context);
  } catch (err) {
    return { ok: false, error: `cannot reach Kubernetes: ${(err as Error).message}` };
  }
  try {
    return await use(client);
  } catch (err) {
    return failure(err);
  }
}

export function failure(err: unknown): StepResult {
  if (err instanceof KubeApiError) {
    return { ok: false, status: err.status, error: err.message };
  }
  return { ok: false, error: (err as Error).message };
}
