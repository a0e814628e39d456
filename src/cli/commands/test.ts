import { EXIT_FAILURE } from '../exit-codes.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerTest: RegisterCommand = (program) => {
  program
    .command('test')
    .description(
      'Run policy unit tests (YAML files: a config, inputs at times, expected decisions) on a simulated clock.',
    )
    .argument('<files...>', 'test files (format: schema/mend-test.schema.json)')
    .action(async (files) => {
      const { runPolicyTests } = await import('../../policy-test/index.ts');
      const result = await runPolicyTests(files);
      process.stdout.write(result.report.endsWith('\n') ? result.report : `${result.report}\n`);
      if (result.failed > 0) process.exitCode = EXIT_FAILURE;
    });
};
