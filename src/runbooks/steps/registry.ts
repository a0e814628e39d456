import { ansibleStep } from './ansible.ts';
import { execStep } from './exec.ts';
import { githubWorkflowStep } from './github-workflow.ts';
import { gitlabPipelineStep } from './gitlab-pipeline.ts';
import { httpStep } from './http.ts';
import { jenkinsBuildStep } from './jenkins-build.ts';
import { deletePodStep } from './kubernetes/delete-pod.ts';
import {
  kubernetesDescribeStep,
  kubernetesEventsStep,
  podLogsStep,
} from './kubernetes/evidence.ts';
import { cordonStep, drainStep, uncordonStep } from './kubernetes/nodes.ts';
import { rolloutRestartStep } from './kubernetes/rollout-restart.ts';
import { rolloutStatusStep } from './kubernetes/rollout-status.ts';
import { rolloutUndoStep } from './kubernetes/rollout-undo.ts';
import { scaleStep } from './kubernetes/scale.ts';
import { logTailStep } from './log-tail.ts';
import { notifyStep } from './notify.ts';
import { observationsStep } from './observations.ts';
import type { StepKind, StepSection } from './step-kind.ts';
import { verifyStep } from './verify.ts';
import { waitStep } from './wait.ts';

/**
 * Every runbook step kind mend knows. The Runbook schema is built from this table: a new kind
 * is one file and one line here; the Kubernetes kinds live in kubernetes/.
 */
export const stepKinds: readonly StepKind[] = [
  execStep as StepKind,
  httpStep as StepKind,
  waitStep as StepKind,
  verifyStep as StepKind,
  notifyStep as StepKind,
  observationsStep as StepKind,
  logTailStep as StepKind,
  ansibleStep as StepKind,
  githubWorkflowStep as StepKind,
  gitlabPipelineStep as StepKind,
  jenkinsBuildStep as StepKind,
  rolloutRestartStep as StepKind,
  rolloutStatusStep as StepKind,
  rolloutUndoStep as StepKind,
  scaleStep as StepKind,
  deletePodStep as StepKind,
  cordonStep as StepKind,
  uncordonStep as StepKind,
  drainStep as StepKind,
  podLogsStep as StepKind,
  kubernetesEventsStep as StepKind,
  kubernetesDescribeStep as StepKind,
];

export function findStepKind(name: string): StepKind | undefined {
  return stepKinds.find((kind) => kind.name === name);
}

export function stepKindsFor(section: StepSection): StepKind[] {
  return stepKinds.filter((kind) => kind.sections.includes(section));
}
