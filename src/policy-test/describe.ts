import { formatDuration } from '../config/kinds/duration.ts';
import type { Command } from '../policy/types.ts';

/** Commands as one readable line each, for expected-versus-actual output. */
export function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'heal':
      return `heal ${command.id} service=${command.service} runbook=${command.runbook} params=${JSON.stringify(command.params)} policy=${command.policy} rung=${command.rung}`;
    case 'page':
      return `page ${command.id} target=${command.target} notifiers=${JSON.stringify(command.notifiers)} (${command.reason.message})`;
    case 'resolvePage':
      return `resolvePage ${command.id} target=${command.target}`;
    case 'preview':
      return `preview ${command.id} mode=${command.mode} heal=${command.heal.id} runbook=${command.heal.runbook}`;
    case 'requestApproval':
      return `requestApproval ${command.approvalId} heal=${command.heal.id} runbook=${command.heal.runbook}`;
  }
}

export function describeExpected(want: Record<string, Record<string, unknown>>): string {
  const [kind, fields] = Object.entries(want)[0]!;
  const parts = Object.entries(fields).map(([key, value]) =>
    typeof value === 'string' ? `${key}=${value}` : `${key}=${JSON.stringify(value)}`,
  );
  return [kind, ...parts].join(' ');
}

export function formatOffset(ms: number): string {
  return formatDuration(ms);
}
