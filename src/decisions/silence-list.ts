import type { Config } from '../config/config.ts';
import { type EngineState, listSilences } from '../policy/index.ts';
import { formatMatcher } from '../policy/matchers.ts';

/** A silence as `mend silence list` and the API show it: the config's and the runtime ones alike. */
export interface SilenceListing {
  id: string;
  matchers: string[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  /** The config file it is defined in; absent for one added while mend runs. */
  source?: string;
}

/** Silences not ended at `now` (active or coming), by start. */
export function activeAndComing(config: Config, state: EngineState, now: number): SilenceListing[] {
  const configured: SilenceListing[] = config.silences
    .filter((silence) => silence.endsAt > now)
    .map((silence) => ({
      id: silence.name,
      matchers: silence.matchers.map(formatMatcher),
      startsAt: silence.startsAt,
      endsAt: silence.endsAt,
      comment: silence.comment,
      createdBy: silence.createdBy,
      source: silence.source.file,
    }));
  const runtime: SilenceListing[] = listSilences(state, now).map((silence) => ({
    id: silence.id,
    matchers: silence.matchers.map(formatMatcher),
    startsAt: silence.startsAt,
    endsAt: silence.endsAt,
    comment: silence.comment,
    createdBy: silence.createdBy,
  }));
  return [...configured, ...runtime].sort((a, b) => a.startsAt - b.startsAt);
}
