import type { Config } from '../config/config.ts';
import type { Input } from '../policy/types.ts';
import type { Signal } from '../signals/signal.ts';
import { offsetMs, type SignalFields, type TestInput } from './schema.ts';

/** A test file's input as the engine's Input, at `start` + its offset. */
export function toInput(config: Config, start: number, input: TestInput): Input {
  const at = start + offsetMs(input.at);
  if (input.fire !== undefined)
    return { kind: 'signal', at, signal: toSignal(config, input.fire, 'firing', at) };
  if (input.resolve !== undefined) {
    return { kind: 'signal', at, signal: toSignal(config, input.resolve, 'resolved', at) };
  }
  if (input.outcome !== undefined) {
    const { command, result, detail, refused } = input.outcome;
    return {
      kind: 'outcome',
      at,
      commandId: command,
      result,
      ...(detail !== undefined ? { detail } : {}),
      ...(refused ? { refused } : {}),
    };
  }
  if (input.approve !== undefined) {
    return {
      kind: 'approval',
      at,
      approvalId: input.approve.id,
      verdict: 'approve',
      actor: input.approve.actor,
    };
  }
  if (input.deny !== undefined) {
    return {
      kind: 'approval',
      at,
      approvalId: input.deny.id,
      verdict: 'deny',
      actor: input.deny.actor,
    };
  }
  if (input.breakerReset !== undefined) {
    const { service, runbook, actor } = input.breakerReset;
    return {
      kind: 'breakerReset',
      at,
      service,
      actor,
      ...(runbook !== undefined ? { runbook } : {}),
    };
  }
  if (input.silence !== undefined) {
    const { id, matchers, from, until, comment, actor } = input.silence;
    return {
      kind: 'silence',
      at,
      id,
      matchers,
      startsAt: from === undefined ? at : start + offsetMs(from),
      endsAt: start + offsetMs(until),
      comment,
      actor,
    };
  }
  if (input.expireSilence !== undefined) {
    return {
      kind: 'silenceExpire',
      at,
      id: input.expireSilence.id,
      actor: input.expireSilence.actor,
    };
  }
  return { kind: 'tick', at };
}

function toSignal(
  config: Config,
  given: string | SignalFields,
  status: 'firing' | 'resolved',
  at: number,
): Signal {
  const fields: SignalFields =
    typeof given === 'string'
      ? {
          service: given,
          check: 'live',
          source: 'probe',
          labels: {},
          failingDependencies: [],
          unknownDependencies: [],
        }
      : given;
  const { service, check, source } = fields;
  const configured = config.services
    .find((s) => s.name === service)
    ?.checks.find((c) => c.name === check)?.role;
  const role = fields.role ?? configured ?? 'liveness';
  const labels = {
    ...(config.services.find((s) => s.name === service)?.labels ?? {}),
    ...fields.labels,
    source,
    service,
    check,
    role,
  };
  const dependencies = [
    ...fields.failingDependencies.map((name) => ({
      name,
      health: 'fail' as const,
      reported: 'DOWN',
    })),
    ...fields.unknownDependencies.map((name) => ({
      name,
      health: 'warn' as const,
      reported: 'UNKNOWN',
    })),
  ];
  return {
    fingerprint: fields.fingerprint ?? `${source}/${service}/${check}`,
    source,
    service,
    check,
    labels,
    status,
    startsAt: at,
    at,
    summary:
      fields.summary ?? (status === 'firing' ? `${check} failing` : `${check} healthy again`),
    evidence: [
      {
        ok: status === 'resolved',
        startedAt: at,
        durationMs: 0,
        ...(fields.error !== undefined ? { error: fields.error } : {}),
        ...(dependencies.length > 0 ? { dependencies } : {}),
      },
    ],
  };
}
