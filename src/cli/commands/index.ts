import { registerApprove, registerDeny } from './approve.ts';
import { registerAudit } from './audit.ts';
import { registerBreaker } from './breaker.ts';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerIncidents } from './incidents.ts';
import { registerKubernetes } from './kubernetes.ts';
import type { RegisterCommand } from './register-command.ts';
import { registerReplay } from './replay.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { registerRunbook } from './runbook.ts';
import { registerSchema } from './schema.ts';
import { registerSilence } from './silence.ts';
import { registerStatus } from './status.ts';
import { registerStore } from './store.ts';
import { registerTail } from './tail.ts';
import { registerTest } from './test.ts';
import { registerToken } from './token.ts';
import { registerValidate } from './validate.ts';

export const commands: RegisterCommand[] = [
  registerValidate,
  registerCheck,
  registerRun,
  registerTest,
  registerReplay,
  registerBreaker,
  registerRunbook,
  registerIncidents,
  registerReport,
  registerApprove,
  registerDeny,
  registerSilence,
  registerStore,
  registerTail,
  registerStatus,
  registerToken,
  registerAudit,
  registerSchema,
  registerDemo,
  registerKubernetes,
];
