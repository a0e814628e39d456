import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';
import { activeSilence, describeSilence, silenceRules } from '../silences.ts';

/** Silences and maintenance windows: record, do nothing, look again when they end. */
export const silence: Gate = (j) => {
  const labels = j.lead?.labels ?? { service: j.inc.service };
  const rules = silenceRules(j.d.compiled.silences, j.d.state.silences);
  const active = activeSilence(rules, labels, j.d.now);
  if (active === null) return null;
  const { kind } = active.rule;
  return {
    kind: 'block',
    verdict: 'hold',
    phase: 'held',
    blockedBy: kind,
    wakeAt: active.until,
    reason: reasonOf(
      j,
      kind === 'silence' ? 'silenced' : 'maintenance',
      kind,
      { [kind]: active.rule.name, until: active.until },
      `silenced by ${describeSilence(active)}: recorded, nothing done`,
    ),
  };
};
