import type { z } from 'zod';

/**
 * One kind of config document (`kind: Service`, later Policy, Runbook, ...). The document schema
 * and the JSON Schema are built from the table of these in registry.ts: a new kind is one file
 * plus one line there.
 */
export interface DocumentKind<Spec = unknown> {
  readonly kind: string;
  readonly summary: string;
  readonly spec: z.ZodType<Spec>;
}

export const API_VERSION = 'mend/v1';

/** A name as Kubernetes spells object names (RFC 1123 label): lowercase, digits, '-'. */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
