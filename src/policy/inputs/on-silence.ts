import type { LabelMatcher } from '../../config/config.ts';
import { parseMatcher } from '../../config/kinds/matcher.ts';
import type { Draft } from '../draft.ts';
import { iso } from '../format.ts';
import { rejudgeBlocked } from '../judge/follow-ups.ts';
import { formatMatcher } from '../matchers.ts';
import { tableEntries } from '../table.ts';
import type { SilenceExpireInput, SilenceInput } from '../types.ts';

/**
 * An operator's silence joins the config's: from its start, what it matches is recorded and
 * nothing done (the silence guardrail reads both). Incidents in flight are left to finish; those
 * judged from now on are held, and wake when it ends. The shell checks the input before it is
 * recorded (matchers parse, it ends in the future, the id is new): one that does not hold here
 * is said in a reason and changes nothing.
 */
export function onSilence(d: Draft, input: SilenceInput): void {
  const matchers: LabelMatcher[] = [];
  for (const text of input.matchers) {
    const parsed = parseMatcher(text);
    if ('error' in parsed) {
      refuse(d, input, `matcher ${JSON.stringify(text)}: ${parsed.error}`);
      return;
    }
    matchers.push(parsed);
  }
  const problem =
    matchers.length === 0
      ? 'a silence needs at least one matcher'
      : input.endsAt <= input.startsAt
        ? 'it ends before it starts'
        : d.state.silences?.[input.id] !== undefined
          ? `silence ${input.id} exists`
          : null;
  if (problem !== null) {
    refuse(d, input, problem);
    return;
  }
  const silences = d.silences();
  // Ended silences are forgotten here, so the state holds only the ones that can still hold.
  for (const [id, silence] of Object.entries(silences)) {
    if (silence.endsAt <= d.now) delete silences[id];
  }
  silences[input.id] = {
    matchers,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    comment: input.comment,
    createdBy: input.actor,
    createdAt: input.at,
  };
  d.reason({
    code: 'silence-added',
    numbers: { silence: input.id, startsAt: input.startsAt, endsAt: input.endsAt },
    message: `silence ${input.id} (${matchers.map(formatMatcher).join(', ')}) added by ${input.actor}, ${iso(input.startsAt)} to ${iso(input.endsAt)}: ${JSON.stringify(input.comment)}`,
  });
}

/** The silence ends now; every incident it held is judged again. */
export function onSilenceExpire(d: Draft, input: SilenceExpireInput): void {
  const current = d.state.silences?.[input.id];
  if (current === undefined || current.endsAt <= d.now) {
    d.reason({
      code: 'silence-expire-refused',
      numbers: { silence: input.id },
      message: `silence ${input.id} expired by ${input.actor}: no such silence is active`,
    });
    return;
  }
  d.silences()[input.id] = { ...current, endsAt: d.now };
  d.reason({
    code: 'silence-expired',
    numbers: { silence: input.id },
    message: `silence ${input.id} expired by ${input.actor}: what it held is judged again`,
  });
  for (const [service] of tableEntries(d.state.services)) rejudgeBlocked(d, service, 'silence');
}

function refuse(d: Draft, input: SilenceInput, why: string): void {
  d.reason({
    code: 'silence-refused',
    numbers: { silence: input.id },
    message: `silence ${input.id} by ${input.actor} not added: ${why}`,
  });
}
