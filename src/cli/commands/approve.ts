import { reportingFailures, sendOperatorRequest } from '../open-for-cli.ts';
import { dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

function registerVerdict(verdict: 'approve' | 'deny', description: string): RegisterCommand {
  return (program) => {
    program
      .command(verdict)
      .description(description)
      .argument('<approval-id>', 'as the request says, e.g. inc-3:approval:1')
      .addOption(dbOption())
      .option('--no-wait', 'do not wait to hear whether the running mend applied it')
      .action((approvalId, options) =>
        reportingFailures(() =>
          sendOperatorRequest(
            options.db,
            { kind: 'approval', payload: { approvalId, verdict } },
            `${verdict === 'approve' ? 'approval' : 'denial'} of ${approvalId}`,
            options.wait,
          ),
        ),
      );
  };
}

export const registerApprove = registerVerdict(
  'approve',
  'Approve a heal that waits for approval.',
);
export const registerDeny = registerVerdict(
  'deny',
  'Deny a heal that waits for approval; the incident escalates.',
);
