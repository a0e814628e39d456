import { defineDocumentKind } from './document-kind.ts';
import { policyConfig } from './policy-config.ts';
import { policyReferenceErrors } from './policy-references.ts';
import { policySpec } from './policy-spec.ts';

export const policyKind = defineDocumentKind({
  kind: 'Policy',
  summary:
    'When to heal, page or only observe, and the guardrails around it: retry budget, cooldown, concurrency, blast radius, approvals.',
  spec: policySpec,
  section: 'policies',
  build: policyConfig,
  crossCheck: policyReferenceErrors,
});
