import { z } from 'zod';
import { name } from './name.ts';

// Kubernetes label syntax, loosely: an optional DNS-subdomain prefix and "/", then a name of
// at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. Labels flow into
// signals and from there into Prometheus and Kubernetes selectors, so keep them portable.
const LABEL_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const LABEL_PREFIX = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
export const LABEL_KEY_PATTERN = new RegExp(`^(${LABEL_PREFIX}/)?${LABEL_NAME}$`);
export const LABEL_VALUE_PATTERN = new RegExp(`^(${LABEL_NAME})?$`);

const labelKey = z
  .string()
  .max(253 + 1 + 63, { error: 'expected a label key of at most 317 characters' })
  .regex(LABEL_KEY_PATTERN, {
    error:
      'expected a label key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "."',
  });

const labelValue = z
  .string()
  .max(63, { error: 'expected a label value of at most 63 characters' })
  .regex(LABEL_VALUE_PATTERN, {
    error: 'expected a label value: empty, or up to 63 letters, digits, "-", "_" or "."',
  });

export const metadataSchema = z
  .strictObject({
    name: name().describe('Unique among the documents of its kind. Other documents refer to it.'),
    labels: z
      .record(labelKey, labelValue)
      .default({})
      .describe('Kubernetes-style labels (key: value); they are copied onto the signals.'),
  })
  .describe('Identifies the document.');

export type Metadata = z.output<typeof metadataSchema>;
