import type { Command, OutcomeInput } from '../policy/index.ts';

/**
 * Where decided commands go. The runbook executor and the notifiers implement it (the act issue);
 * until then mend records them as planned actions. An implementation starts the work and returns;
 * it reports how a heal ended later, as an outcome input.
 */
export interface ActionPort {
  dispatch(command: Command, report: (outcome: OutcomeInput) => void): Promise<void>;
}
