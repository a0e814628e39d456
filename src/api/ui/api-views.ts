/**
 * The operator API's answers, as far as the dashboard reads them (the routes' zod schemas in
 * src/api/v1/routes are the whole truth; these name the fields a page shows).
 */
export interface ServiceItem {
  name: string;
  labels: Record<string, string>;
  dependsOn: string[];
  healthy: boolean;
  openIncidents: string[];
  healing: string | null;
  checks: {
    name: string;
    role: string;
    status: 'unknown' | 'healthy' | 'failing';
    since: number | null;
    last: { ok: boolean; at: number; durationMs: number; error?: string } | null;
  }[];
}

export interface IncidentItem {
  id: string;
  service: string;
  status: 'open' | 'resolved';
  openedAt: number;
  attempts: number;
  chronic: boolean;
  title: string;
  phase: string | null;
}

export interface BreakerItem {
  service: string;
  runbook: string;
  state: 'closed' | 'open' | 'half-open';
  attempts: number[];
  openUntil: number | null;
}

export interface ApprovalItem {
  id: string;
  incidentId: string;
  service: string;
  attempt: number;
  expiresAt: number;
}

export interface SilenceItem {
  id: string;
  matchers: string[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  source?: string;
}

export interface RunbookItem {
  name: string;
  params: Record<string, { type: string; required: boolean }>;
  steps: string[];
}

export interface Items<T> {
  items: T[];
}
