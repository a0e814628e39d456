import type { Command } from '../policy/index.ts';

/** One line a person reads: what a command asks for. */
export function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'heal':
      return `heal ${command.service} with runbook ${command.runbook} (${command.id}, policy ${command.policy})`;
    case 'page':
      return `page ${command.notifiers.join(', ') || 'nobody'} about ${command.target}: ${command.summary}`;
    case 'resolvePage':
      return `resolve page ${command.id}: ${command.summary}`;
    case 'preview':
      return `preview (${command.mode}) of heal ${command.heal.service} with runbook ${command.heal.runbook} (${command.id}): check modes only`;
    case 'requestApproval':
      return `ask for approval ${command.approvalId}: ${command.reason.message}`;
  }
}
