import type { z } from 'zod';
import { ConfigError } from '../../config/config-error.ts';
import { formatFieldPath } from '../../config/field-path.ts';
import { reportIssue } from '../../config/issue-message.ts';
import { valueAt } from '../../config/validate-document.ts';
import { locate } from '../../config/yaml/locate.ts';
import { parseSource } from '../../config/yaml/parse-source.ts';
import { readSource } from '../../config/yaml/read-source.ts';
import type { SourceDocument } from '../../config/yaml/source-document.ts';
import { type Scenario, scenarioSchema } from './scenario-schema.ts';

export type ScenarioResult = { scenario: Scenario } | { errors: ConfigError[] };

/**
 * Reads a scenario file: one YAML document checked against the scenario schema, every problem
 * reported as FILE:LINE:COL like mend's config errors.
 */
export async function loadScenario(file: string): Promise<ScenarioResult> {
  const source = await readSource(file);
  if ('error' in source) return { errors: [source.error] };
  return parseScenario(file, source.text);
}

export function parseScenario(file: string, text: string): ScenarioResult {
  const documents: SourceDocument[] = [];
  const syntax = parseSource(file, text, (document) => documents.push(document));
  if (syntax.length > 0) return { errors: syntax };
  if (documents.length !== 1) {
    return {
      errors: [
        new ConfigError(
          { file, line: 1, col: 1 },
          '',
          `expected one YAML document (a KubernetesScenario), found ${documents.length}`,
        ),
      ],
    };
  }
  const source = documents[0]!;
  const result = scenarioSchema.safeParse(source.data);
  if (result.success) return { scenario: result.data };
  const schema = scenarioSchema as unknown as z.ZodType;
  const errors = result.error.issues.flatMap((issue) =>
    reportIssue(issue, schema, (path) => valueAt(source.data, path)).map(
      (report) =>
        new ConfigError(
          locate(source, report.path, report.at),
          formatFieldPath(report.path),
          report.message,
        ),
    ),
  );
  return { errors };
}
