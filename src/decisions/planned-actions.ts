import type { Logger } from '../log.ts';
import type { Command } from '../policy/index.ts';
import type { ActionPort } from './action-port.ts';

/**
 * The action port before runbooks and notifiers exist: every command is already recorded as a
 * planned action with its decision (store `commands`); this only says so in the log. No outcome
 * is reported, so a planned heal stays in flight: mend never pretends an action ran.
 */
export class PlannedActions implements ActionPort {
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  async dispatch(command: Command): Promise<void> {
    this.#log.info({ command: command.kind }, `planned: ${describeCommand(command)}`);
  }
}

export function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'heal':
      return `heal ${command.service} with runbook ${command.runbook} (${command.id}, policy ${command.policy})`;
    case 'page':
      return `page ${command.notifiers.join(', ') || 'nobody'} about ${command.target}: ${command.summary}`;
    case 'resolvePage':
      return `resolve page ${command.id}: ${command.summary}`;
    case 'requestApproval':
      return `ask for approval ${command.approvalId}: ${command.reason.message}`;
  }
}
