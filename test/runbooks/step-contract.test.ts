import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepKinds } from '../../src/runbooks/steps/registry.ts';
import { ansibleFixture } from './step-contract/ansible.ts';
import { execFixture } from './step-contract/exec.ts';
import { httpFixture } from './step-contract/http.ts';
import {
  cordonFixture,
  deletePodFixture,
  drainFixture,
  kubernetesDescribeFixture,
  kubernetesEventsFixture,
  podLogsFixture,
  rolloutRestartFixture,
  rolloutStatusFixture,
  rolloutUndoFixture,
  scaleFixture,
  uncordonFixture,
} from './step-contract/kubernetes.ts';
import { logTailFixture } from './step-contract/log-tail.ts';
import { notifyFixture } from './step-contract/notify.ts';
import { observationsFixture } from './step-contract/observations.ts';
import { githubFixture, gitlabFixture, jenkinsFixture } from './step-contract/pipelines.ts';
import { verifyFixture } from './step-contract/verify.ts';
import { waitFixture } from './step-contract/wait.ts';
import { runStepContract, type StepFixture } from './step-contract.ts';

/** One fixture per step kind in the registry: a new kind joins the suite here. */
const fixtures: Record<string, StepFixture> = {
  exec: execFixture,
  http: httpFixture,
  wait: waitFixture,
  verify: verifyFixture,
  notify: notifyFixture,
  observations: observationsFixture,
  logTail: logTailFixture,
  ansible: ansibleFixture,
  githubWorkflow: githubFixture,
  gitlabPipeline: gitlabFixture,
  jenkinsBuild: jenkinsFixture,
  rolloutRestart: rolloutRestartFixture,
  rolloutStatus: rolloutStatusFixture,
  rolloutUndo: rolloutUndoFixture,
  scale: scaleFixture,
  deletePod: deletePodFixture,
  cordon: cordonFixture,
  uncordon: uncordonFixture,
  drain: drainFixture,
  podLogs: podLogsFixture,
  kubernetesEvents: kubernetesEventsFixture,
  kubernetesDescribe: kubernetesDescribeFixture,
};

test('every registered step kind has a contract fixture, and every fixture a kind', () => {
  assert.deepEqual(Object.keys(fixtures).sort(), stepKinds.map((kind) => kind.name).sort());
});

for (const kind of stepKinds) {
  const fixture = fixtures[kind.name];
  if (fixture !== undefined) runStepContract(kind, fixture);
}
