/** `mend test`: policy unit tests on a simulated clock. The CLI command calls runPolicyTests. */
export { type PolicyTestResult, runPolicyTests } from './run-tests.ts';
export { renderTestJsonSchema, testFile } from './schema.ts';
