import { ansibleStep } from './ansible.ts';
import { execStep } from './exec.ts';
import { githubWorkflowStep } from './github-workflow.ts';
import { gitlabPipelineStep } from './gitlab-pipeline.ts';
import { httpStep } from './http.ts';
import { jenkinsBuildStep } from './jenkins-build.ts';
import { logTailStep } from './log-tail.ts';
import { notifyStep } from './notify.ts';
import { observationsStep } from './observations.ts';
import type { StepKind, StepSection } from './step-kind.ts';
import { verifyStep } from './verify.ts';
import { waitStep } from './wait.ts';

/**
 * Every runbook step kind mend knows. The Runbook schema is built from this table: a new kind
 * (the Kubernetes issue adds rollout restart, scale, ...) is one file and one line here.
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
];

export function findStepKind(name: string): StepKind | undefined {
  return stepKinds.find((kind) => kind.name === name);
}

export function stepKindsFor(section: StepSection): StepKind[] {
  return stepKinds.filter((kind) => kind.sections.includes(section));
}
