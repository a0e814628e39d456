import type { ServiceConfig } from '../config/config.ts';
import type { Command, LeadSignal, OutcomeInput } from '../policy/types.ts';

/** What an action may need beyond the command itself. */
export interface DispatchContext {
  /** Report how a heal ended (verified healthy: succeeded). Feeds the engine as an input. */
  report(outcome: OutcomeInput): void;
  /** The service the command is about, as configured now. */
  service?: ServiceConfig;
  /** The signal that opened the incident: its check is the one a heal verifies. */
  lead?: LeadSignal;
  /**
   * For a heal: page about its incident (a runbook's notify step). The engine decides the page
   * and the store records it like any other; resolves once the notifiers were tried.
   */
  notify?: NotifyFn;
}

/** Sends a message through notifiers, once per key; rejects when it could not be sent. */
export type NotifyFn = (request: {
  key: string;
  notifiers: string[];
  message: string;
}) => Promise<void>;

/**
 * Where decided commands go: the runbook executor (heal) and the notifiers (page, resolvePage,
 * requestApproval). An implementation starts the work and returns; it reports how a heal ended
 * later, through `context.report`. Dispatch may be called again for the same command after a
 * restart (it was recorded, the process died before it was marked dispatched): implementations
 * use the command's idempotency key to do the work once.
 */
export interface ActionPort {
  dispatch(command: Command, context: DispatchContext): Promise<Dispatched | undefined>;
}

/**
 * How a command went, when its action can tell at once: a page says whether any notifier got
 * it. A heal says nothing here (undefined): its outcome comes later, through `report`.
 */
export interface Dispatched {
  ok: boolean;
  /** One line: `sent to oncall; chat failed: 500 Internal Server Error`. */
  detail: string;
}
