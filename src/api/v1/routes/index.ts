import type { RegisterRoutes } from '../route-kit.ts';
import { registerAlerts } from './alerts.ts';
import { registerApprovals } from './approvals.ts';
import { registerAudit } from './audit.ts';
import { registerBreakers } from './breakers.ts';
import { registerEvents } from './events.ts';
import { registerIncidents } from './incidents.ts';
import { registerReport } from './report.ts';
import { registerRunbooks } from './runbooks.ts';
import { registerServices } from './services.ts';
import { registerSignals } from './signals.ts';
import { registerSilences } from './silences.ts';
import { registerStatus } from './status.ts';
import { registerStream } from './stream.ts';
import { registerTokens } from './tokens.ts';
import { registerWhoami } from './whoami.ts';

/** Every resource of /api/v1, one file each. */
export const ROUTES: readonly RegisterRoutes[] = [
  registerServices,
  registerIncidents,
  registerSignals,
  registerAlerts,
  registerEvents,
  registerBreakers,
  registerApprovals,
  registerSilences,
  registerRunbooks,
  registerReport,
  registerStream,
  registerTokens,
  registerAudit,
  registerWhoami,
  registerStatus,
];
