import { z } from 'zod';
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
    name: objectName.describe('The workload’s name.'),
  })
  .describe(
    'The Kubernetes workload this service is: Kubernetes steps of its runbooks act on it unless they name another, and runbooks can template `{{service.kubernetes.namespace}}`, `.name`, `.kind`, `.context`.',
  );

export type KubernetesTarget = z.output<typeof kubernetesTargetSchema>;
