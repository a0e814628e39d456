import { breakerAt } from '../breaker.ts';
import { iso } from '../format.ts';
import type { DraftView } from '../judge/judging.ts';
import { activeSilence, describeSilence, silenceRules } from '../silences.ts';
import { type IncidentState, incidentOf, signalOf } from '../state.ts';

/**
 * What is done about the root of a dependency hold, so that the held incident's reason says what
 * is true: mend heals the root, its breaker is open, a human has it (paged, or a heal denied), it
 * is silenced, or nothing and nobody deals with it (`unowned`: then the held dependent pages).
 */
export type RootKind = 'heals' | 'breaker' | 'human' | 'silenced' | 'unowned';

export interface RootStatus {
  kind: RootKind;
  /** In words, after "dependency db is unhealthy (incident inc-4): ". */
  words: string;
  /** `inc-4:heals`: kept on the held incident; when it changes, the incident is judged again. */
  key: string;
}

/** An incident that waits on no other: where a chain of dependency holds ends. */
export interface Root {
  service: string;
  incident: string;
}

/** Follow the links from the dependency's incident to the one that is not waiting on another. */
export function rootOf(d: DraftView, service: string, incident: string): Root {
  let at = { service, incident };
  for (let hops = 0; hops < 32; hops++) {
    const next = incidentOf(d.peek(at.service), at.incident);
    if (next?.linkedTo == null || next.linkedVia === null) break;
    at = { service: next.linkedVia, incident: next.linkedTo };
  }
  return at;
}

/** Why mend stopped healing an incident, by what blocked it. */
const STOPPED: Record<string, string> = {
  ladder: 'its escalation ladder is exhausted',
  'outcome-unknown': 'a heal’s outcome is unknown',
  refused: 'its runbook refused the heal',
  params: 'its heal params have no value',
  concurrency: 'the concurrency limit was reached',
  approval: 'its approval expired',
};

export function rootStatus(d: DraftView, root: Root): RootStatus {
  const name = root.service;
  const status = (kind: RootKind, words: string): RootStatus => ({
    kind,
    words,
    key: `${root.incident}:${kind}`,
  });
  const svc = d.peek(name);
  const inc = incidentOf(svc, root.incident);
  if (inc === undefined) return status('unowned', `nothing is known of ${name}’s incident`);
  if (inc.blockedBy === 'silence' || inc.blockedBy === 'maintenance') {
    const lead = signalOf(svc, inc.lead ?? inc.firing[0] ?? '');
    const rules = silenceRules(d.compiled.silences, d.state.silences);
    const active = activeSilence(rules, lead?.labels ?? { service: name }, d.now);
    const what = active === null ? inc.blockedBy : describeSilence(active);
    return status('silenced', `${name} is silenced by ${what}: nothing heals it`);
  }
  const policy = inc.policy === null ? undefined : d.compiled.byName.get(inc.policy);
  if (policy === undefined) {
    const why = inc.policy === null ? 'no policy matched it' : `policy ${inc.policy} is gone`;
    return status('unowned', `nothing heals ${name} (${why}), and nobody was paged`);
  }
  const { config } = policy;
  const mode = config.shadow
    ? 'shadow'
    : config.dryRun || d.compiled.settings.dryRun
      ? 'dry-run'
      : null;
  if (config.action.kind === 'observe') {
    return status(
      'unowned',
      `nothing heals ${name} (policy ${policy.name} only observes it), and nobody was paged`,
    );
  }
  if (mode !== null) {
    const would = config.action.kind === 'page' ? 'would page' : 'would heal';
    return status(
      'unowned',
      `nothing heals ${name} (policy ${policy.name} ${would}: ${mode}), and nobody was paged`,
    );
  }
  if (config.action.kind === 'page') {
    if (config.action.notifiers.length === 0) {
      return status('unowned', `nothing heals ${name} (policy ${policy.name} pages nobody)`);
    }
    return status('human', `nothing heals ${name}: policy ${policy.name} pages about it`);
  }
  return healStatus(d, inc, policy.name, status);
}

function healStatus(
  d: DraftView,
  inc: Readonly<IncidentState>,
  policyName: string,
  status: (kind: RootKind, words: string) => RootStatus,
): RootStatus {
  const name = inc.service;
  const policy = d.compiled.byName.get(policyName)!;
  const paged = inc.pages[0];
  const human = (words: string) =>
    paged === undefined
      ? status('unowned', `${words}, and nobody was paged`)
      : status('human', `${words}; paged (${paged})`);
  if (inc.blockedBy === 'breaker') {
    const runbook = policy.rungs[inc.rung]?.runbook ?? '';
    const breaker = breakerAt(d.peek(name)?.breakers[runbook], d.now, policy.config.windowMs);
    const until = breaker.openUntil === null ? '' : ` until ${iso(breaker.openUntil)}`;
    return human(
      `its breaker ${name}/${runbook} is open${until}: nothing heals ${name} until then`,
    );
  }
  if (inc.blockedBy === 'blast-radius') {
    const page = d.state.blast[policyName]?.page ?? null;
    const words = `nothing heals ${name}: above maxUnhealthy of policy ${policyName}`;
    return page === null
      ? status('unowned', `${words}, and nobody was paged`)
      : status('human', `${words}; paged once for the group (${page})`);
  }
  if (inc.phase === 'denied') return status('human', `a human denied ${name}’s heal`);
  if (inc.phase === 'escalated' || inc.phase === 'paged') {
    const why = STOPPED[inc.blockedBy ?? ''] ?? `stopped by ${inc.blockedBy}`;
    return human(`mend stopped healing ${name} (${why})`);
  }
  return status('heals', `healing ${name} first (policy ${policyName})`);
}
