import type { KubernetesTarget } from '../config/kinds/kubernetes-target.ts';
import {
  type Field,
  type ParamValue,
  parseTemplate,
  type Ref,
  RUNBOOK_TEMPLATES,
  type TemplatePart,
} from '../config/template.ts';

/** Everything a reference can name during one run. Absent parts are refusals when referenced. */
export interface TemplateValues {
  params: Record<string, ParamValue>;
  /** Params whose values may begin with "-" in an argv element (allowLeadingDash). */
  dashParams: ReadonlySet<string>;
  service?: { name: string; labels: Record<string, string>; kubernetes?: KubernetesTarget };
  signal?: { labels: Record<string, string>; check: string | null; fingerprint: string };
  incidentId?: string;
  runId: string;
}

/** A value that may not be used where it was going: the step is refused, never run. */
export class Refusal extends Error {}

/** The value of one reference, or a Refusal saying what is missing. */
export function lookup(ref: Ref, values: TemplateValues): ParamValue {
  const missing = (what: string) => new Refusal(`${what} has no value for this run`);
  switch (ref.kind) {
    case 'param': {
      const value = values.params[ref.name];
      if (value === undefined) throw missing(`{{params.${ref.name}}}`);
      return value;
    }
    case 'label': {
      const labels = ref.of === 'service' ? values.service?.labels : values.signal?.labels;
      const value = labels?.[ref.key];
      if (value === undefined) throw missing(`{{${ref.of}.labels.${ref.key}}}`);
      return value;
    }
    case 'field': {
      const value = fieldValue(ref.name, values);
      if (value === undefined || value === null) throw missing(`{{${ref.name}}}`);
      return value;
    }
  }
}

function fieldValue(name: Field, values: TemplateValues): string | null | undefined {
  switch (name) {
    case 'service.name':
      return values.service?.name;
    case 'service.kubernetes.namespace':
    case 'service.kubernetes.name':
    case 'service.kubernetes.kind':
    case 'service.kubernetes.context':
      return values.service?.kubernetes?.[name.slice('service.kubernetes.'.length) as 'name'];
    case 'signal.check':
      return values.signal?.check;
    case 'signal.fingerprint':
      return values.signal?.fingerprint;
    case 'incident.id':
      return values.incidentId;
    case 'run.id':
      return values.runId;
    default:
      return undefined; // signal.service and signal.source are not runbook references
  }
}

/** Parse a template that passed the load-time check; a template that did not is a Refusal. */
export function partsOf(text: string): TemplatePart[] {
  const parts = parseTemplate(text, RUNBOOK_TEMPLATES);
  if ('error' in parts) throw new Refusal(parts.error);
  return parts;
}
