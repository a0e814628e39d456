import type { CheckSpec } from '../../config/config.ts';
import { execProbe } from './exec.ts';
import { grpcProbe } from './grpc.ts';
import { httpProbe } from './http.ts';
import { logProbe } from './log.ts';
import type { ProbeKind } from './probe-kind.ts';
import { prometheusProbe } from './prometheus.ts';
import { tcpProbe } from './tcp.ts';
import { tracesProbe } from './traces.ts';

/** Every probe kind mend knows. The check schema is built from this table: a new kind is one line. */
export const probeKinds: readonly ProbeKind[] = [
  httpProbe as ProbeKind,
  tcpProbe as ProbeKind,
  execProbe as ProbeKind,
  grpcProbe as ProbeKind,
  logProbe as ProbeKind,
  tracesProbe as ProbeKind,
  prometheusProbe as ProbeKind,
];

export function findProbeKind(name: string): ProbeKind | undefined {
  return probeKinds.find((kind) => kind.name === name);
}

/** The probe kind a check uses, and its spec. */
export function probeOf(check: CheckSpec): { kind: string; spec: unknown } {
  for (const kind of probeKinds) {
    const spec = check[kind.name];
    if (spec !== undefined) return { kind: kind.name, spec };
  }
  throw new Error(`check ${check.name} has no probe; the schema should have refused it`);
}
