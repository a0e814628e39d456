import { isMap } from 'yaml';
import { BoundedErrors } from './bounded-errors.ts';
import { collectFiles } from './collect-files.ts';
import type { Config, ServiceConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import { BrokenDocuments } from './follow-on.ts';
import { decidingConfig, decidingErrors } from './kinds/deciding-documents.ts';
import type { ServiceSpec } from './kinds/service.ts';
import { CONFIG_LIMITS, type ConfigLimits, formatBytes } from './limits.ts';
import { checkReferences, type ServiceEntry } from './references.ts';
import { type ValidDocument, validateDocument } from './validate-document.ts';
import { locate } from './yaml/locate.ts';
import { parseSource } from './yaml/parse-source.ts';
import { readSource, type SourceText } from './yaml/read-source.ts';
import type { SourceDocument } from './yaml/source-document.ts';

export interface LoadResult {
  /** Present exactly when there are no errors. */
  config?: Config;
  /** The problems in every file, sorted by file, line and column: the first `maxErrors`. */
  errors: ConfigError[];
  /** Problems past `maxErrors`, counted and not kept. */
  moreErrors: number;
  /** How many files have problems (all of them, not only those of the errors kept). */
  filesWithErrors: number;
  /** What was left out of the config and why, one line each (`FILE: skipped, ...`). */
  notes: string[];
}

/**
 * Read, parse, validate and cross-check the config in `paths` (files, or folders of *.yaml).
 * Never throws for a problem in the config: it reports all of them at once, within `limits`
 * (limits.ts: what no input may exceed, so that no input can hang or crash the loader).
 */
export async function loadConfig(
  paths: readonly string[],
  overrides: Partial<ConfigLimits> = {},
): Promise<LoadResult> {
  const limits: ConfigLimits = { ...CONFIG_LIMITS, ...overrides };
  const collected = await collectFiles(paths, limits);
  const errors = new BoundedErrors(limits.maxErrors);
  errors.add(collected.errors);
  const texts = await readSources(collected.files, limits);
  // Kept to point into a value (a CEL error's column inside `when`).
  const textByFile = new Map<string, string>();
  // Services keep their data and the few positions a cross-reference error can need, not their
  // YAML: a config of 10,000 services must not hold 10,000 syntax trees. Other kinds are few
  // and keep theirs (a CEL error points inside a value).
  const services: LoadedService[] = [];
  const valid: ValidDocument[] = [];
  const invalidNames = new Set<string>();
  const broken = new BrokenDocuments();
  let documents = 0;
  collected.files.forEach((file, i) => {
    const read = texts[i]!;
    if ('error' in read) {
      errors.add([read.error]);
      broken.addUnknown();
      return;
    }
    textByFile.set(file, read.text);
    const documentsBefore = documents;
    const parseErrors = parseSource(
      file,
      read.text,
      (source) => {
        documents++;
        const result = source.usable ? validateDocument(source) : { errors: [] };
        errors.add(result.errors);
        const document = 'document' in result ? result.document : undefined;
        if (!document) {
          broken.add(source);
          const name = serviceNameOf(source);
          if (name !== undefined) invalidNames.add(name);
        } else if (document.kind === 'Service') {
          services.push(loadedService(document));
        } else {
          valid.push(document);
        }
      },
      { limits, documentsBefore },
    );
    // Errors of the file as a whole, or of a limit that cut it short: its documents are unknown.
    if (parseErrors.some((error) => error.line === 0 || isLimit(error))) broken.addUnknown();
    errors.add(parseErrors);
  });
  errors.add(
    broken.filter(
      checkReferences(
        services.map((s) => s.entry),
        invalidNames,
      ),
    ),
  );
  const serviceNames = [...services.map((s) => s.config.name), ...invalidNames];
  errors.add(broken.filter(decidingErrors(valid, serviceNames, textByFile)));
  const notes = [...collected.notes, ...broken.notes()];
  if (errors.count > 0) return { ...errors.result(), notes };
  const config = {
    services: services.map((s) => s.config),
    ...decidingConfig(valid),
    files: collected.files,
  };
  return { config, errors: [], moreErrors: 0, filesWithErrors: 0, notes };
}

/**
 * The files' texts, read one at a time so that at most `maxConfigBytes` are ever held: a file
 * past that total is not read, and is reported.
 */
async function readSources(files: readonly string[], limits: ConfigLimits): Promise<SourceText[]> {
  const texts: SourceText[] = [];
  let total = 0;
  for (const file of files) {
    const left = limits.maxConfigBytes - total;
    const read = left > 0 ? await readSource(file, limits) : undefined;
    if (read !== undefined && 'text' in read && Buffer.byteLength(read.text) <= left) {
      total += Buffer.byteLength(read.text);
      texts.push(read);
    } else if (read !== undefined && 'error' in read) {
      texts.push(read);
    } else {
      const message = `cannot read: the config's files together are over ${formatBytes(limits.maxConfigBytes)} (the limit for all files together) with this one: pass fewer files`;
      texts.push({ error: new ConfigError({ file, line: 0, col: 0 }, '', message) });
    }
  }
  return texts;
}

/** A limit of limits.ts that stopped the parser: the rest of the file was not read. */
function isLimit(error: ConfigError): boolean {
  return / \(the limit\)/.test(error.message);
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
