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
  const texts = await Promise.all(collected.files.map(readSource));
  // Kept to point into a value (a CEL error's column inside `when`).
  const textByFile = new Map<string, string>();
  // Services keep their data and the few positions a cross-reference error can need, not their
  // YAML: a config of 10,000 services must not hold 10,000 syntax trees. Other kinds are few
  // and keep theirs (a CEL error points inside a value).
  const services: LoadedService[] = [];
  const valid: ValidDocument[] = [];
  const invalidNames = new Set<string>();
  collected.files.forEach((file, i) => {
    const read = texts[i]!;
    if ('error' in read) {
      errors.push(read.error);
      return;
    }
    textByFile.set(file, read.text);
    const parseErrors = parseSource(file, read.text, (source) => {
      const result = source.usable ? validateDocument(source) : { errors: [] };
      errors.push(...result.errors);
      const document = 'document' in result ? result.document : undefined;
      if (!document) {
        const name = serviceNameOf(source);
        if (name !== undefined) invalidNames.add(name);
      } else if (document.kind === 'Service') {
        services.push(loadedService(document));
      } else {
        valid.push(document);
      }
    });
    errors.push(...parseErrors);
  });
  errors.push(
    ...checkReferences(
      services.map((s) => s.entry),
      invalidNames,
    ),
  );
  const serviceNames = [...services.map((s) => s.config.name), ...invalidNames];
  errors.push(...decidingErrors(valid, serviceNames, textByFile));
  if (errors.length > 0) return { errors: sortErrors(errors) };
  const config = {
    services: services.map((s) => s.config),
    ...decidingConfig(valid),
    files: collected.files,
  };
  return { config, errors: [] };
}

interface LoadedService {
  config: ServiceConfig;
  entry: ServiceEntry;
}

function loadedService(document: ValidDocument): LoadedService {
  const config = serviceConfig(document);
  const paths: (readonly PropertyKey[])[] = [
    ['metadata', 'name'],
    ...config.dependsOn.map((_, i) => ['spec', 'dependsOn', i]),
    ...config.checks.map((_, i) => ['spec', 'checks', i, 'name']),
  ];
  const fallback = document.position; // not `document`: the closure below must not keep its YAML
  const positions = new Map(
    paths.map((path) => [path.join('\u0000'), locate(document.source, path)]),
  );
  return {
    config,
    entry: {
      name: config.name,
      dependsOn: config.dependsOn,
      checkNames: config.checks.map((check) => check.name),
      locate: (path) => positions.get(path.join('\u0000')) ?? fallback,
    },
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

/** The name of a Service document that failed validation, read from the YAML nodes, not the data: that works even where aliases broke the data. */
function serviceNameOf(source: SourceDocument): string | undefined {
  const { doc } = source;
  if (!isMap(doc.contents) || doc.get('kind') !== 'Service') return undefined;
  const name = doc.getIn(['metadata', 'name']);
  return typeof name === 'string' ? name : undefined;
}
