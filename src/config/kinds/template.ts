/**
 * Runbook parameters are templated from the signal and the service: `{{signal.labels.pod}}`,
 * `{{service.name}}`. Only these references exist, and they are checked at load, so a typo is
 * a config error, never a heal with a wrong argument. Pure: the engine renders with it.
 */
export const TEMPLATE_REFERENCES = [
  'signal.labels.NAME',
  'signal.service',
  'signal.check',
  'signal.source',
  'signal.fingerprint',
  'service.name',
  'service.labels.NAME',
  'incident.id',
] as const;

export type TemplatePart = string | { ref: string[] };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const FIXED = new Set(TEMPLATE_REFERENCES.filter((ref) => !ref.endsWith('.NAME')));

/** The text split into literal parts and references, or the first unknown reference. */
export function parseTemplate(text: string): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const ref = match[1]!;
    if (!isKnown(ref)) {
      return {
        error: `expected references such as {{signal.labels.NAME}} or {{service.name}} (${TEMPLATE_REFERENCES.join(', ')}), found {{${ref}}}`,
      };
    }
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ ref: splitRef(ref) });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function isKnown(ref: string): boolean {
  if (FIXED.has(ref as never)) return true;
  return /^(signal|service)\.labels\.[^.\s]+(\.[^.\s]+)*$/.test(ref);
}

/** `signal.labels.app.kubernetes.io/name` is one label key after `labels.`. */
function splitRef(ref: string): string[] {
  const [root, field, ...rest] = ref.split('.');
  return field === 'labels' ? [root!, field, rest.join('.')] : [root!, field!];
}
