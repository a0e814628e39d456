import { z } from 'zod';
import type { DocumentKind } from './document-kind.ts';
import { API_VERSION } from './document-kind.ts';
import { maintenanceWindowKind } from './maintenance-window.ts';
import { metadataSchema } from './metadata.ts';
import { notifierKind } from './notifier.ts';
import { policyKind } from './policy.ts';
import { runbookKind } from './runbook.ts';
import { serviceKind } from './service.ts';
import { settingsKind } from './settings.ts';
import { silenceKind } from './silence.ts';

/** Every kind of config document mend reads. A new kind is one file and one line here. */
export const documentKinds: readonly DocumentKind[] = [
  serviceKind as DocumentKind,
  policyKind as DocumentKind,
  silenceKind as DocumentKind,
  maintenanceWindowKind as DocumentKind,
  settingsKind as DocumentKind,
  notifierKind as DocumentKind,
  runbookKind as DocumentKind,
];

export function findDocumentKind(kind: unknown): DocumentKind | undefined {
  return documentKinds.find((known) => known.kind === kind);
}

const apiVersion = () =>
  z
    .literal(API_VERSION)
    .describe(`The version of mend's config format; always \`${API_VERSION}\`.`);

/** The whole document schema of one kind: the shared envelope around the kind's spec. */
export function documentSchema(kind: DocumentKind) {
  return z
    .strictObject({
      apiVersion: apiVersion(),
      kind: z.literal(kind.kind).describe('Selects the schema of `spec`.'),
      metadata: metadataSchema,
      spec: kind.spec.describe(`What the ${kind.kind} is and how mend treats it.`),
    })
    .describe(kind.summary);
}

export type DocumentSchema = ReturnType<typeof documentSchema>;

/**
 * For a document whose kind mend does not know: still check the envelope, so one pass reports a
 * wrong apiVersion, the unknown kind (with the known ones listed) and bad metadata together.
 */
export function envelopeSchema() {
  const kinds = documentKinds.map((known) => known.kind) as [string, ...string[]];
  return z.strictObject({
    apiVersion: apiVersion(),
    kind: z.enum(kinds, { error: `expected one of the kinds ${kinds.join(', ')}` }),
    metadata: metadataSchema,
    spec: z.record(z.string(), z.unknown()),
  });
}
