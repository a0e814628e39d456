import type { Receiver, Script } from '../pipelines/receiver.ts';
import { pipelineSpec, type System, startSystem, TOKENS_ENV } from '../pipelines/systems.ts';
import type { MakeCase, StepFixture } from '../step-contract.ts';

/** A case against a fresh receiver of `system` playing `script`; `change` alters the step. */
function against(
  system: System,
  script: Script,
  change: (spec: Record<string, unknown>) => Record<string, unknown> = (s) => s,
): MakeCase {
  return async () => {
    const receiver = await startSystem(system, script);
    return {
      spec: change(pipelineSpec(system, receiver, 'api')),
      secrets: { ...TOKENS_ENV, WRONG: 'not-the-token' },
      close: receiver.close,
    };
  };
}

/** A token the API does not take: the start is refused. */
const wrongToken = (spec: Record<string, unknown>) => ({
  ...spec,
  token: { valueFrom: { env: 'WRONG' } },
  ...('triggerToken' in spec ? { triggerToken: { valueFrom: { env: 'WRONG' } } } : {}),
});

function fixture(system: System): StepFixture {
  const nowhere = { url: 'http://127.0.0.1:1' } as Receiver; // never asked: refused at prepare
  return {
    passing: against(system, { ends: 'success', polls: 1 }),
    failing: [
      against(system, { ends: 'failure', polls: 1 }),
      against(system, { ends: 'success' }, wrongToken),
    ],
    slow: against(system, { ends: 'never' }),
    refused: pipelineSpec(system, nowhere, '{{service.labels.team}}'),
  };
}

export const githubFixture = fixture('github');
export const gitlabFixture = fixture('gitlab');
export const jenkinsFixture = fixture('jenkins');
