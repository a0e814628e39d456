import { z } from 'zod';
import type {
  ApiSettings,
  ChronicSettings,
  SettingsConfig,
  StoreOutageSettings,
} from '../config.ts';
import { parseListenAddress } from '../listen-address.ts';
import { defineDocumentKind } from './document-kind.ts';
import { duration, parseDuration } from './duration.ts';
import { LABEL_KEY_PATTERN } from './metadata.ts';

/** Kubernetes names: a namespace is a DNS label, a Lease's name a DNS subdomain. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const SETTINGS_DEFAULTS = {
  dryRun: false,
  groupBy: ['service'],
  chronic: { heals: 3, within: '24h' },
  storeOutage: { exitAfter: '1m' },
  alerts: { maxInFlight: 50_000 },
  replicas: { enabled: false, lease: '10s' },
};

export const CHRONIC_DEFAULTS: ChronicSettings = {
  heals: SETTINGS_DEFAULTS.chronic.heals,
  withinMs: parseDuration(SETTINGS_DEFAULTS.chronic.within)!,
};

export const STORE_OUTAGE_DEFAULTS: StoreOutageSettings = {
  exitAfterMs: parseDuration(SETTINGS_DEFAULTS.storeOutage.exitAfter)!,
};

const chronic = z
  .strictObject({
    heals: z
      .int()
      .min(2)
      .max(1000)
      .default(SETTINGS_DEFAULTS.chronic.heals)
      .describe('Verified heals of one service within `within` that make it chronic. Default 3.'),
    within: duration({ min: '1m', max: '30d' })
      .default(SETTINGS_DEFAULTS.chronic.within)
      .describe('The window the heals must fall in. Default 24h.'),
  })
  .default(SETTINGS_DEFAULTS.chronic)
  .describe(
    'A service healed again and again is flagged chronic: its incidents, pages and `mend report` say that healing is hiding a recurring failure. Default 3 heals within 24h.',
  );

const storeOutage = z
  .strictObject({
    exitAfter: duration({ min: '1s', max: '1h' })
      .default(SETTINGS_DEFAULTS.storeOutage.exitAfter)
      .describe(
        'How long mend waits for its store to take writes again before it exits non-zero (for a supervisor to restart it, and a person to look). Meanwhile the signals it cannot record are held in memory. Default 1m.',
      ),
  })
  .default(SETTINGS_DEFAULTS.storeOutage)
  .describe(
    'When the store cannot record (full, read-only, its file deleted or replaced, ...): mend acts on nothing it has not recorded, pages every notifier once without the store, fails /readyz, and exits non-zero after `exitAfter` unless the store recovers first. Default: exit after 1m.',
  );

const alerts = z
  .strictObject({
    maxInFlight: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(SETTINGS_DEFAULTS.alerts.maxInFlight)
      .describe(
        'Alerts received and not yet durably recorded (with the signals they make) past which a delivery is refused with 503 and Retry-After (Alertmanager retries it). A delivery is always taken when nothing waits, whatever its size. Default 50000.',
      ),
  })
  .optional()
  .describe(
    'How much the Alertmanager receiver holds before it tells senders to come back: never a silent drop. Default: 50,000 alerts in flight.',
  );

const replicas = z
  .strictObject({
    enabled: z
      .boolean()
      .default(SETTINGS_DEFAULTS.replicas.enabled)
      .describe(
        'Run as one of several replicas on one PostgreSQL store (as `mend run --replica`): checks are shared among the live replicas, one leader decides and acts. Default false.',
      ),
    lease: duration({ min: '2s', max: '5m' })
      .default(SETTINGS_DEFAULTS.replicas.lease)
      .describe(
        'A replica whose heartbeat is older than this is gone (its checks move to the others), and a leader that has not renewed its lease for this long is replaced. Default 10s.',
      ),
    kubernetesLease: z
      .strictObject({
        namespace: z.string().regex(DNS_LABEL, { error: 'expected a namespace name' }),
        name: z.string().regex(DNS_SUBDOMAIN, { error: 'expected a Lease name' }),
        context: z
          .string()
          .min(1)
          .optional()
          .describe('The kubeconfig context; default the current one (in a pod: its own cluster).'),
      })
      .optional()
      .describe(
        'Elect the leader by this `coordination.k8s.io/v1` Lease (as Kubernetes controllers do) instead of the store lease row; the store epoch still fences every decision. Needs get, create and update on the Lease. Default: the store elects.',
      ),
  })
  .optional()
  .describe(
    'Several `mend run` processes on one PostgreSQL store, for availability and to spread the checks (docs/replicas.md). Default: one runner per store.',
  );

const filePath = z.string().min(1, { error: 'expected a file path' });

const api = z
  .strictObject({
    listen: z
      .string()
      .refine((value) => parseListenAddress(value) !== undefined, {
        error: 'expected HOST:PORT such as 127.0.0.1:9797 or [::1]:9797',
      })
      .optional()
      .describe(
        'Where mend serves /healthz, /readyz, /metrics and the operator API. `--listen` wins over it. Default 127.0.0.1:9797.',
      ),
    tls: z
      .strictObject({
        certFile: filePath.describe(
          'PEM certificate chain the server presents (leaf first). Re-read on SIGHUP: a renewed certificate needs no restart.',
        ),
        keyFile: filePath.describe(
          'PEM private key of the certificate. Re-read on SIGHUP with it; a pair that does not match keeps the previous one.',
        ),
        clientCaFile: filePath
          .optional()
          .describe(
            'PEM CA bundle: when set, every client must present a certificate it signed (mutual TLS), scrapers of /metrics included. Bearer tokens are still required on /api/v1.',
          ),
      })
      .optional()
      .describe(
        'Serve HTTPS instead of HTTP. Required to serve the operator API on a non-loopback address.',
      ),
    authFailures: z
      .strictObject({
        maxFailures: z
          .int()
          .min(1)
          .max(10_000)
          .default(5)
          .describe(
            'Failed authentications from one address within `window` before it is refused. Default 5.',
          ),
        window: duration({ min: '1s', max: '1d' })
          .default('1m')
          .describe('The window the failures are counted in. Default 1m.'),
        block: duration({ min: '1s', max: '1d' })
          .default('10s')
          .describe(
            'How long the first refusal lasts (429 with Retry-After); each further one doubles it. Default 10s.',
          ),
        maxBlock: duration({ min: '1s', max: '7d' })
          .default('15m')
          .describe('The longest a refusal lasts. Default 15m.'),
      })
      .refine((limits) => parseDuration(limits.block)! <= parseDuration(limits.maxBlock)!, {
        error: 'expected block no longer than maxBlock',
        path: ['block'],
      })
      .optional()
      .describe(
        'How an address that keeps failing to authenticate is slowed down (each refusal is audited). Read at start. Default: 5 failures within 1m block it for 10s, doubling up to 15m.',
      ),
    insecure: z
      .boolean()
      .default(false)
      .describe(
        'Serve the operator API on a non-loopback address without TLS (behind a TLS-terminating proxy); as `--insecure-api`. Default false: without TLS the API is served on loopback only.',
      ),
  })
  .optional()
  .describe('How mend serves its HTTP endpoints and the operator API: address, TLS, mutual TLS.');

export const settingsSpec = z.strictObject({
  dryRun: z
    .boolean()
    .default(SETTINGS_DEFAULTS.dryRun)
    .describe(
      'Decide and record everything, page nobody, run nothing but the check modes of runbook steps (ansible --check --diff). Default false.',
    ),
  maxConcurrent: z
    .int()
    .min(1)
    .max(100000)
    .optional()
    .describe('Heals in flight at once across all policies. Unset: no global limit.'),
  groupBy: z
    .array(z.string().regex(LABEL_KEY_PATTERN, { error: 'expected a label name' }))
    .default(SETTINGS_DEFAULTS.groupBy)
    .describe(
      'Signal labels that split incidents (as Alertmanager group_by). Incidents are always per service; these add to it. Default `[service]`.',
    ),
  chronic,
  storeOutage,
  api,
  alerts,
  replicas,
});

export type SettingsSpec = z.output<typeof settingsSpec>;

/** The chronic thresholds of a Settings document (the defaults without one). */
export function chronicSettings(spec: SettingsSpec | undefined): ChronicSettings {
  if (spec === undefined) return CHRONIC_DEFAULTS;
  return { heals: spec.chronic.heals, withinMs: parseDuration(spec.chronic.within)! };
}

function settingsConfig(spec: SettingsSpec | undefined): SettingsConfig {
  return {
    dryRun: spec?.dryRun ?? SETTINGS_DEFAULTS.dryRun,
    maxConcurrent: spec?.maxConcurrent ?? null,
    groupBy: spec?.groupBy ?? SETTINGS_DEFAULTS.groupBy,
    chronic: chronicSettings(spec),
    storeOutage:
      spec === undefined
        ? STORE_OUTAGE_DEFAULTS
        : { exitAfterMs: parseDuration(spec.storeOutage.exitAfter)! },
    ...(spec?.api ? { api: apiSettings(spec.api) } : {}),
    ...(spec?.alerts ? { alerts: { maxInFlight: spec.alerts.maxInFlight } } : {}),
    ...(spec?.replicas
      ? {
          replicas: {
            enabled: spec.replicas.enabled,
            leaseMs: parseDuration(spec.replicas.lease)!,
            ...(spec.replicas.kubernetesLease
              ? { kubernetesLease: spec.replicas.kubernetesLease }
              : {}),
          },
        }
      : {}),
  };
}

function apiSettings(spec: NonNullable<SettingsSpec['api']>): ApiSettings {
  return {
    ...(spec.listen !== undefined ? { listen: parseListenAddress(spec.listen)! } : {}),
    ...(spec.tls ? { tls: spec.tls } : {}),
    ...(spec.authFailures
      ? {
          authFailures: {
            maxFailures: spec.authFailures.maxFailures,
            windowMs: parseDuration(spec.authFailures.window)!,
            baseDelayMs: parseDuration(spec.authFailures.block)!,
            maxDelayMs: parseDuration(spec.authFailures.maxBlock)!,
          },
        }
      : {}),
    insecure: spec.insecure,
  };
}

export const settingsKind = defineDocumentKind({
  kind: 'Settings',
  summary:
    'Global settings: how mend decides, and what it does when its store cannot record; at most one such document. Optional.',
  spec: settingsSpec,
  section: 'settings',
  single: { default: settingsConfig(undefined) },
  build: (document) => settingsConfig(document.spec),
});
