import { isMap } from 'yaml';
import { collectFiles } from './collect-files.ts';
import type { Config, ServiceConfig } from './config.ts';
import { type ConfigError, sortErrors } from './config-error.ts';
import { decidingConfig, decidingErrors } from './kinds/deciding-documents.ts';
import type { ServiceSpec } from './kinds/service.ts';
import { checkReferences, type ServiceEntry } from './references.ts';
import { type ValidDocument, validateDocument } from './validate-document.ts';
import { locate } from './yaml/locate.ts';
import { parseSource } from './yaml/parse-source.ts';
import { readSource } from './yaml/read-source.ts';
import type { SourceDocument } from './yaml/source-document.ts';

export interface LoadResult {
  /** Present exactly when there are no errors. */
  config?: Config;
  /** Every problem in every file, sorted by file, line and column. */
  errors: ConfigError[];
}

/**
 * Read, parse, validate and cross-check the config in `paths` (files, or folders of *.yaml).
 * Never throws for a problem in the config: it reports all of them at once.
 */
export async function loadConfig(paths: readonly string[]): Promise<LoadResult> {
  const collected = await collectFiles(paths);
  const errors = [...collected.errors];
  const sources: SourceDocument[] = [];
  const texts = await Promise.all(collected.files.map(readSource));
  // Kept to point into a value (a CEL error's column inside `when`).
  const textByFile = new Map<string, string>();
  collected.files.forEach((file, i) => {
    const read = texts[i]!;
    if ('error' in read) {
      errors.push(read.error);
      return;
    }
    textByFile.set(file, read.text);
    const parsed = parseSource(file, read.text);
    errors.push(...parsed.errors);
    sources.push(...parsed.documents);
  });
  const valid: ValidDocument[] = [];
  for (const source of sources.filter((s) => s.usable)) {
    const result = validateDocument(source);
    errors.push(...result.errors);
    if (result.document) valid.push(result.document);
  }
  const services = valid.filter((document) => document.kind === 'Service');
  const invalidNames = invalidServiceNames(sources, valid);
  errors.push(...checkReferences(services.map(serviceEntry), invalidNames));
  const serviceNames = [...services.map((s) => s.metadata.name), ...invalidNames];
  errors.push(...decidingErrors(valid, serviceNames, textByFile));
  if (errors.length > 0) return { errors: sortErrors(errors) };
  const config = {
    services: services.map(serviceConfig),
    ...decidingConfig(valid),
    files: collected.files,
  };
  return { config, errors: [] };
}

function serviceEntry(document: ValidDocument): ServiceEntry {
  const spec = document.spec as ServiceSpec;
  return {
    name: document.metadata.name,
    dependsOn: spec.dependsOn,
    checkNames: spec.checks.map((check) => check.name),
    locate: (path) => locate(document.source, path),
  };
}

function serviceConfig(document: ValidDocument): ServiceConfig {
  const spec = document.spec as ServiceSpec;
  return {
    name: document.metadata.name,
    labels: document.metadata.labels,
    dependsOn: spec.dependsOn,
    checks: spec.checks,
    source: document.position,
  };
}

/** Names of Service documents that failed validation, read as far as the raw data allows. */
function invalidServiceNames(
  sources: readonly SourceDocument[],
  valid: readonly ValidDocument[],
): Set<string> {
  const validSources = new Set(valid.map((document) => document.source));
  const names = new Set<string>();
  for (const source of sources) {
    if (validSources.has(source)) continue;
    // Read from the YAML nodes, not the data: that works even where aliases broke the data.
    const { doc } = source;
    const name = isMap(doc.contents) ? doc.getIn(['metadata', 'name']) : undefined;
    if (typeof name === 'string' && doc.get('kind') === 'Service') names.add(name);
  }
  return names;
}
