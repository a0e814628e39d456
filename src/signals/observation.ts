/**
 * What one probe run saw. Expected failures are data here, never exceptions: a refused connection
 * is an Observation with ok=false and an error, so the check state machine sees every outcome.
 */
export interface Observation {
  /** Passed. False for a failure, and for a discarded result (below). */
  ok: boolean;
  /**
   * The probe could not finish its measurement, and the result counts neither as a success nor as
   * a failure, as kubelet throws away a probe that errored (worker.go: "Prober error, throw away
   * the result"): an HTTP answer whose status passed and whose body then stalled or broke off.
   * It leaves the check's counters as they were; `error` says what happened.
   */
  discarded?: boolean;
  /** When the probe started, epoch ms. */
  startedAt: number;
  durationMs: number;
  /** Why the probe failed, in one line a person can act on; absent when ok. */
  error?: string;
  /**
   * What a person should know about a passing probe, as kubelet's probe warning: a 3xx counted as
   * success, a redirect to another host not followed.
   */
  warning?: string;
  /** The protocol's own status: HTTP status code, exit code, gRPC serving status name. */
  status?: number | string;
  /** Bounded output: response body, command stdout+stderr. Ends with TRUNCATION_MARKER when cut. */
  output?: string;
  /** Per-phase timings, named as blackbox_exporter names them (probe_http_duration_seconds). */
  phases?: ProbePhases;
  /** TLS facts when the probe used TLS. */
  tls?: TlsFacts;
  /** Per-dependency status, when the target's body was a health document. */
  dependencies?: DependencyStatus[];
  /**
   * Where a probe that reads a stream got to (a followed file's offset), kept in the store so a
   * restarted mend goes on from it (see ProbeKind.prepare's `resume`). Not evidence.
   */
  cursor?: unknown;
  /** What an alert said, when the observation is an alert (Alertmanager) rather than a probe. */
  alert?: AlertFacts;
  /**
   * The series a query returned (the `prometheus` kind), each judged on its own: one check, one
   * signal per series. Absent for probes that observe one thing.
   */
  series?: SeriesSample[];
  /**
   * The monitoring the probe asks (`prometheus`) could not answer: down, slow, or refusing the
   * query. Always with `discarded`: the service is not blamed for it.
   */
  sourceDown?: string;
  /** A query's recent past and present (the curve that led to a signal), when one was asked. */
  query?: QueryEvidence;
  /** What a Kubernetes watch saw (the `kubernetes` source): the object, and its recent events. */
  kubernetes?: KubernetesFacts;
}

/** A watched object's condition as evidence: who it is, what it says, its recent events. */
export interface KubernetesFacts {
  /** CrashLoopBackOff, OOMKilled, ImagePullBackOff, RestartsRising, NotReady, ... */
  reason: string;
  object: { kind: string; namespace: string; name: string };
  deployment?: string;
  pod?: string;
  node?: string;
  container?: string;
  restartCount?: number;
  /** The restart count's rise: always kubelet's (mend replaces pods, it never restarts one in place). */
  restarts?: { from: number; to: number; withinMs: number; by: 'kubelet' };
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string };
  /** The object's newest events (core/v1), newest last, bounded. */
  events: { at: string; type: string; reason: string; message: string; count: number }[];
  /** Why the events are missing, when reading them failed. */
  eventsError?: string;
  /** For a resolved signal: who or what cleared it (kubelet, mend's heal, the pod gone). */
  cleared?: string;
}

/** One series of a query's answer and whether it passed the check's condition. */
export interface SeriesSample {
  labels: Record<string, string>;
  value: number;
  ok: boolean;
}

/** What Prometheus said about an expression at signal time: now, and the last minutes. */
export interface QueryEvidence {
  /** The Prometheus asked (its base URL). */
  prometheus: string;
  query: string;
  /** The instant value of each series (bounded), when asked. */
  value?: { labels: Record<string, string>; value: number }[];
  /** The curve: `step`-spaced points `[epoch ms, value]` from `startAt` to `endAt`, per series. */
  range?: {
    startAt: number;
    endAt: number;
    stepSeconds: number;
    series: { labels: Record<string, string>; points: [number, number][] }[];
  };
  /** Series left out to keep the evidence bounded. */
  omittedSeries?: number;
  /** Why part of it is missing (Prometheus down or refusing): the evidence says so. */
  error?: string;
}

/** An alert as its source sent it: the evidence of an alert signal. */
export interface AlertFacts {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Where the alert came from (Prometheus's graph of its expression); empty when not sent. */
  generatorURL: string;
  /** The Alertmanager receiver that posted it. */
  receiver?: string;
}

export interface ProbePhases {
  resolveMs?: number;
  connectMs?: number;
  tlsMs?: number;
  /** From the request being written to the first byte of the response. */
  processingMs?: number;
  /** From the first byte to the end of the (bounded) read. */
  transferMs?: number;
}

export interface TlsFacts {
  version?: string;
  /** Leaf certificate's notAfter, epoch ms. */
  certNotAfter?: number;
  /** Whole days from the probe's start until the leaf certificate expires (negative when expired). */
  certDaysLeft?: number;
}

export type DependencyHealth = 'pass' | 'warn' | 'fail';

export interface DependencyStatus {
  /** The dependency's name as the health document gives it ("db", "redis:connections"). */
  name: string;
  /**
   * The component the name refers to, for matching against service names: the part before ":"
   * in the IETF draft's "component:measurement" keys, the top-level component in Spring Boot's.
   */
  component?: string;
  health: DependencyHealth;
  /** The status string exactly as the document said it ("UP", "fail", "OUT_OF_SERVICE"). */
  reported: string;
  detail?: string;
}

export const TRUNCATION_MARKER = '\n[... truncated by mend]';

/** The result a probe returns; the scheduler stamps startedAt and durationMs around it. */
export type ProbeResult = Omit<Observation, 'startedAt' | 'durationMs'>;
