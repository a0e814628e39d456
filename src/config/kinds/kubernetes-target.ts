import { z } from 'zod';
import { duration } from './duration.ts';
import { LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN } from './metadata.ts';
import { NAME_PATTERN } from './name.ts';

/** A DNS-1123 subdomain: what Kubernetes allows as a Deployment, Pod or Node name. */
export const SUBDOMAIN_PATTERN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a value is not a Kubernetes name of this sort, or undefined when it is one. */
export function kubernetesNameProblem(
  value: string,
  sort: 'namespace' | 'name',
): string | undefined {
  if (sort === 'namespace') {
    return value.length <= 63 && NAME_PATTERN.test(value)
      ? undefined
      : `expected a namespace (DNS-1123 label: at most 63 lowercase letters, digits and "-"), found ${JSON.stringify(value)}`;
  }
  return value.length <= 253 && SUBDOMAIN_PATTERN.test(value)
    ? undefined
    : `expected a Kubernetes object name (DNS-1123 subdomain: lowercase letters, digits, "-" and ".", at most 253), found ${JSON.stringify(value)}`;
}

const namespace = z.string().max(63).regex(NAME_PATTERN, {
  error: 'expected a namespace (DNS-1123 label: lowercase letters, digits and "-")',
});
const objectName = z
  .string()
  .max(253)
  .regex(SUBDOMAIN_PATTERN, { error: 'expected a Kubernetes object name (DNS-1123 subdomain)' });

/** Defaults of `watch`: a pod not Ready this long, restarts rising this much within `window`. */
export const WATCH_DEFAULTS = { notReadyFor: '30s', restarts: 3, window: '10m' } as const;

export const kubernetesWatchSchema = z
  .strictObject({
    notReadyFor: duration({ min: '0', max: '1d' })
      .default(WATCH_DEFAULTS.notReadyFor)
      .describe(
        'A pod not Ready (or a Deployment with unavailable replicas) this long is a failing signal. Default 30s.',
      ),
    restarts: z
      .int()
      .min(1)
      .max(1000)
      .default(WATCH_DEFAULTS.restarts)
      .describe(
        'A container’s restart count rising by this many within `window` is a failing signal (kubelet restarting it). Default 3.',
      ),
    window: duration({ min: '1s', max: '1d' })
      .default(WATCH_DEFAULTS.window)
      .describe('The window `restarts` (and a recent OOMKilled) are counted in. Default 10m.'),
  })
  .describe(
    'Watch the workload, its pods and the nodes they run on (list and watch, no polling): CrashLoopBackOff, OOMKilled, ImagePullBackOff, restarts rising, not Ready, unavailable replicas, ProgressDeadlineExceeded and node NotReady become signals of this service, with the object’s identity as labels and its recent events as evidence.',
  );

const labelSelector = z
  .record(
    z.string().max(317).regex(LABEL_KEY_PATTERN, { error: 'expected a Kubernetes label key' }),
    z.string().max(63).regex(LABEL_VALUE_PATTERN, { error: 'expected a Kubernetes label value' }),
  )
  .refine((labels) => Object.keys(labels).length > 0, {
    error: 'expected at least one label: an empty selector selects everything',
  });

export const kubernetesTargetSchema = z
  .strictObject({
    context: z
      .string()
      .min(1)
      .optional()
      .describe('The kubeconfig context to use for this service. Default: the current context.'),
    namespace: namespace.describe('The namespace of the workload.'),
    kind: z
      .enum(['Deployment'])
      .default('Deployment')
      .describe('The workload’s kind. Default `Deployment`.'),
    name: objectName.optional().describe('The workload’s name (or `selector`).'),
    selector: labelSelector
      .optional()
      .describe(
        'Instead of `name`: a label selector (`{ app: web }`): the Deployments with these labels, and the pods with these labels, as a Kubernetes Service selects its pods. Kubernetes steps then need their `deployment:`.',
      ),
    watch: kubernetesWatchSchema.optional(),
  })
  .superRefine((target, ctx) => {
    if ((target.name === undefined) === (target.selector === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: target.name === undefined ? [] : ['selector'],
        message: 'expected exactly one of name (the workload) or selector (its labels)',
      });
    }
  })
  .describe(
    'The Kubernetes workload this service is: Kubernetes steps of its runbooks act on it unless they name another, and runbooks can template `{{service.kubernetes.namespace}}`, `.name`, `.kind`, `.context`. With `watch`, mend watches it.',
  );

export type KubernetesTarget = z.output<typeof kubernetesTargetSchema>;
export type KubernetesWatchSpec = z.output<typeof kubernetesWatchSchema>;
