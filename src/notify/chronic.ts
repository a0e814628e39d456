import type { IncidentWithTimeline } from '../store/store.ts';
import { CHRONIC_SENTENCE } from './render-text.ts';

type Payload = Record<string, unknown>;

/**
 * Whether the incident's service is chronic (healed again and again), from whichever record says
 * so: the page command's flag, the incident's `fields.chronic`, or a `chronic` timeline entry
 * (whose reason has the numbers). The note always says that healing is hiding a recurring failure.
 */
export function chronicOf(
  incident: IncidentWithTimeline | undefined,
  commandFlag: boolean,
): { chronic: boolean; note?: string } {
  const field = incident?.fields.chronic;
  const event = incident?.timeline.find((e) => e.type === 'chronic');
  if (!commandFlag && !field && event === undefined) return { chronic: false };
  const words = wordsOf(event?.payload) ?? wordsOf(field);
  const note = words?.includes(CHRONIC_SENTENCE)
    ? `Chronic: ${words}.`
    : `Chronic: ${words !== undefined ? `${words}; ` : ''}${CHRONIC_SENTENCE}.`;
  return { chronic: true, note };
}

function wordsOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Payload;
  const reason = p.reason as Payload | undefined;
  if (typeof reason?.message === 'string') return reason.message;
  if (typeof p.message === 'string') return p.message;
  if (typeof p.heals === 'number') return `healed ${p.heals} times`;
  return undefined;
}
