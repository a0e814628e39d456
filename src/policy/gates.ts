import { chronicSentence } from './chronic.ts';
import { duration, iso, list, plural } from './format.ts';
import type { Block, Judging } from './judge/judging.ts';
import { reasonOf } from './judge/judging.ts';
import { activeSilence, describeSilence } from './silences.ts';
import { incidentOf, signalOf } from './state.ts';

/**
 * The guardrails that apply to every incident, whatever its policy does, in the order they
 * are asked. Each returns a Block that stops the pipeline, or null to go on.
 */

/** Silences and maintenance windows: record, do nothing, look again when they end. */
export function silenced(j: Judging): Block | null {
  const labels = j.lead?.labels ?? { service: j.inc.service };
  const active = activeSilence(j.d.compiled.silences, labels, j.d.now);
  if (active === null) return null;
  const { kind } = active.rule;
  return {
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
}

/**
 * While a dependency is unhealthy, heal it, not this service: the incident is linked to the
 * dependency's, and judged afresh when the dependency recovers.
 */
export function dependencyDown(j: Judging): Block | null {
  const { d, inc } = j;
  const down = unhealthyDependency(j);
  if (down === null) {
    if (inc.linkedTo !== null) {
      const dependency = inc.linkedVia ?? '';
      // Afresh: `for` starts again, so a dependent that recovers with its dependency is left alone.
      inc.since = d.now;
      const forMs = j.policy?.config.forMs ?? 0;
      const again = forMs > 0 ? ` (for ${duration(forMs)} starts again)` : '';
      const reason = reasonOf(
        j,
        'dependency-recovered',
        'dependency',
        { dependencyIncident: inc.linkedTo },
        `dependency ${dependency} recovered (incident ${inc.linkedTo}): judging ${inc.service} afresh${again}`,
      );
      d.emit({ type: 'unlinked', incidentId: inc.id, at: d.now, dependency, reason });
      inc.linkedTo = null;
      inc.linkedVia = null;
    }
    return null;
  }
  const root = rootOf(j, down.service, down.incident);
  const rootWords =
    root.incident === down.incident
      ? ''
      : `; root cause ${root.service} (incident ${root.incident})`;
  const reason = reasonOf(
    j,
    'dependency',
    'dependency',
    { dependency: down.service, dependencyIncident: down.incident, rootIncident: root.incident },
    `held: dependency ${down.service} is unhealthy (incident ${down.incident}${rootWords}): healing ${root.service}, not ${inc.service}`,
  );
  if (inc.linkedTo !== down.incident) {
    inc.linkedTo = down.incident;
    inc.linkedVia = down.service;
    d.emit({
      type: 'linked',
      incidentId: inc.id,
      at: d.now,
      rootIncidentId: down.incident,
      dependency: down.service,
      reason,
    });
  }
  const dependency = d.service(down.service);
  if (!dependency.held.includes(inc.service)) dependency.held = [...dependency.held, inc.service];
  return { verdict: 'hold', phase: 'held', blockedBy: 'dependency', reason };
}

function unhealthyDependency(j: Judging): { service: string; incident: string } | null {
  const names = new Set(j.service.dependsOn);
  for (const fingerprint of j.inc.firing) {
    for (const name of signalOf(j.svc, fingerprint)?.namedDeps ?? []) names.add(name);
  }
  for (const name of names) {
    if (name === j.inc.service) continue;
    const dependency = j.d.peek(name);
    if (dependency === undefined || dependency.firing === 0) continue;
    const incident = dependency.incidents[0]?.id;
    if (incident !== undefined) return { service: name, incident };
  }
  return null;
}

/** Follow the links from the dependency's incident to the one that is not waiting on another. */
function rootOf(j: Judging, service: string, incident: string) {
  let at = { service, incident };
  for (let hops = 0; hops < 32; hops++) {
    const next = incidentOf(j.d.peek(at.service), at.incident);
    if (next?.linkedTo == null || next.linkedVia === null) break;
    at = { service: next.linkedVia, incident: next.linkedTo };
  }
  return at;
}

/** No policy decides this incident: it is recorded, and that is all. */
export function noPolicy(j: Judging): Block | null {
  if (j.policy !== null) return null;
  const what = j.lead?.check ? `check ${j.lead.check} of ${j.inc.service}` : j.inc.service;
  const message =
    j.inc.policy === null
      ? `no policy matched ${what}: recorded only`
      : `policy ${j.inc.policy} no longer exists: recorded only`;
  return {
    verdict: 'observe',
    phase: 'observing',
    blockedBy: 'no-policy',
    reason: reasonOf(j, 'no-policy', undefined, {}, message),
  };
}

/** `for`: the incident must stay firing this long (pending -> firing, as in Prometheus). */
export function pending(j: Judging): Block | null {
  const forMs = j.policy!.config.forMs;
  const due = j.inc.since + forMs;
  if (forMs === 0 || j.d.now >= due) return null;
  return {
    verdict: 'wait',
    phase: 'pending',
    blockedBy: 'for',
    wakeAt: due,
    reason: reasonOf(
      j,
      'pending',
      'for',
      { firingMs: j.d.now - j.inc.since, forMs, due },
      `pending: firing for ${duration(j.d.now - j.inc.since)} of ${duration(forMs)}; acting at ${iso(due)} if still firing`,
    ),
  };
}

/** `count`: act only once enough matching signals came within the window (checked once). */
export function counted(j: Judging): Block | null {
  const count = j.policy!.config.count;
  if (count === null || j.inc.counted) return null;
  const since = j.d.now - count.withinMs;
  const seen = (j.svc.counts[j.policy!.name] ?? []).filter((at) => at > since).length;
  if (seen >= count.atLeast) {
    j.inc.counted = true;
    return null;
  }
  return {
    verdict: 'wait',
    phase: 'counting',
    blockedBy: 'count',
    reason: reasonOf(
      j,
      'count',
      'count',
      { seen, atLeast: count.atLeast, withinMs: count.withinMs },
      `${seen} of ${count.atLeast} matching signals within ${duration(count.withinMs)}: waiting for more`,
    ),
  };
}

/**
 * maxUnhealthy (Cluster API semantics): above it heal nothing, page once for the group, and say
 * so on every held incident. Healing resumes when the count falls back to the limit.
 */
export function blastRadius(j: Judging): Block | null {
  const policy = j.policy!;
  if (policy.limit === null) return null;
  const { d } = j;
  const unhealthy = d.state.blast[policy.name]?.unhealthy ?? 0;
  if (unhealthy <= policy.limit) return null;
  const blast = d.blast(policy.name);
  const notifiers = policy.config.escalate.notifiers;
  const max = policy.config.maxUnhealthy!;
  const limit = 'percent' in max ? `${max.percent}% (${policy.limit})` : String(policy.limit);
  const pageWords =
    blast.page !== null
      ? `paged once for the group (${blast.page})`
      : notifiers.length === 0
        ? 'no escalate.notifiers: nobody paged'
        : j.mode !== null
          ? `would page ${list(notifiers)} once for the group (${j.mode})`
          : `paging ${list(notifiers)} once for the group`;
  const reason = reasonOf(
    j,
    'blast-radius',
    'blast-radius',
    { unhealthy, selected: policy.selected, limit: policy.limit },
    `held: ${unhealthy} of ${plural(policy.selected, 'service')} selected by policy ${policy.name} are unhealthy, above maxUnhealthy ${limit}: healing nothing; ${pageWords}`,
  );
  const commandIds: string[] = [];
  if (blast.page === null && notifiers.length > 0 && j.mode === null) {
    const id = `blast:${policy.name}:${d.state.nextGroupPage++}`;
    blast.page = id;
    d.commands.push({
      kind: 'page',
      id,
      idempotencyKey: id,
      target: id,
      incidentIds: [j.inc.id],
      notifiers: [...notifiers],
      summary: `${unhealthy} of ${plural(policy.selected, 'service')} unhealthy (policy ${policy.name}): healing stopped${j.inc.chronic ? `; ${j.inc.service} is chronic: ${chronicSentence(j.inc.chronic)}` : ''}`,
      reason,
      ...(j.inc.chronic ? { chronic: true } : {}),
    });
    commandIds.push(id);
  }
  if (!blast.held.includes(j.inc.service)) blast.held = [...blast.held, j.inc.service];
  return { verdict: 'hold', phase: 'held', blockedBy: 'blast-radius', reason, commandIds };
}
