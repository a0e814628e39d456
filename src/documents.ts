import type { Config } from './config/config.ts';
import type { DocumentKind } from './config/kinds/document-kind.ts';
import { maintenanceWindowKind } from './config/kinds/maintenance-window.ts';
import { notifierKind } from './config/kinds/notifier.ts';
import { policyKind } from './config/kinds/policy.ts';
import { runbookKind } from './config/kinds/runbook.ts';
import { serviceKind } from './config/kinds/service.ts';
import { settingsKind } from './config/kinds/settings.ts';
import { silenceKind } from './config/kinds/silence.ts';
import type { ConfigLimits } from './config/limits.ts';
import { buildConfig, type LoadResult, loadConfig } from './config/load.ts';
import type { ValidDocument } from './config/valid-document.ts';
import { notifierKinds } from './notify/kinds/registry.ts';
import { stepKinds } from './runbooks/steps/registry.ts';
import { probeKinds } from './signals/probes/registry.ts';

/**
 * Every kind of config document mend reads, with the kinds plugged into them: the probe kinds
 * of a check, the step kinds of a runbook, the notifier kinds. src/config knows only what a kind
 * looks like; this table is where mend's kinds meet it, so config never imports the code that
 * probes, runs or delivers. A new document kind is one file and one line here; a new probe, step
 * or notifier kind is one file and one line in its own registry.
 */
export const documentKinds: readonly DocumentKind[] = [
  serviceKind(probeKinds),
  policyKind,
  silenceKind,
  maintenanceWindowKind,
  settingsKind,
  notifierKind(notifierKinds),
  runbookKind(stepKinds),
] as DocumentKind[];

/** Read, validate and cross-check mend's config in `paths` (files, or folders of *.yaml). */
export function loadMendConfig(
  paths: readonly string[],
  limits: Partial<ConfigLimits> = {},
): Promise<LoadResult> {
  return loadConfig(paths, documentKinds, limits);
}

/**
 * A Config from documents given as data (kind, name, spec), through the same schemas and
 * builders as loading but without files or cross-checks: for tests and benchmarks that build
 * configs in memory. A spec that does not pass its schema throws.
 */
export function configFromSpecs(
  specs: readonly { kind: string; name: string; labels?: Record<string, string>; spec: unknown }[],
): Config {
  const position = { file: 'memory', line: 0, col: 0 };
  const documents = new Map<DocumentKind, ValidDocument[]>(documentKinds.map((k) => [k, []]));
  for (const { kind, name, labels, spec } of specs) {
    const found = documentKinds.find((k) => k.kind === kind);
    if (!found) throw new Error(`no document kind ${kind}`);
    documents.get(found)!.push({
      kind,
      metadata: { name, labels: labels ?? {} },
      spec: found.spec.parse(spec),
      position,
      locate: () => position,
    });
  }
  return buildConfig(documents, []);
}
