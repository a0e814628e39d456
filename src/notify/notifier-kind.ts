import type { z } from 'zod';
import type { SecretRef } from '../secrets/secret-ref.ts';
import type { Notification } from './notification.ts';

/** What a delivery may use. A notifier kind holds no retry logic and no timers of its own. */
export interface DeliveryContext {
  /** Aborted when the attempt times out; a kind must stop its I/O promptly when it fires. */
  signal: AbortSignal;
  /** The attempt's time limit in ms, for clients that take a timeout rather than a signal. */
  timeoutMs: number;
  /** Reads a secret field (env or file, with its prefix) and registers its value for redaction. */
  secret(ref: SecretRef): Promise<string>;
}

/**
 * One kind of notifier (`webhook:`, `slack:`, ...). The Notifier document schema is built from
 * the table of these (registry.ts): a new kind is one file and one line there. `deliver` sends
 * one notification once: it resolves when the receiver accepted it and throws a DeliveryError
 * (transient or terminal) when not; the port around it retries, times out and records.
 */
export interface NotifierKind<Spec = unknown> {
  /** The key under a Notifier's spec that selects this kind. */
  readonly name: string;
  readonly summary: string;
  readonly spec: z.ZodType<Spec>;
  deliver(spec: Spec, notification: Notification, ctx: DeliveryContext): Promise<void>;
}

/** Helper so each kind file gets its Spec type inferred from its schema. */
export function defineNotifierKind<S extends z.ZodType>(
  kind: NotifierKind<z.output<S>> & { spec: S },
): NotifierKind<z.output<S>> {
  return kind;
}
