import { terminalLine } from '../../support/terminal-text.ts';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerValidate: RegisterCommand = (program) => {
  program
    .command('validate')
    .description(
      'Check config files without running anything; print every error as FILE:LINE:COL: field: problem.',
    )
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (options) => {
      const [{ formatErrors }, { invalidSummary, validSummary }, { loadMendConfig }] =
        await Promise.all([
          import('../../config/config-error.ts'),
          import('../../config/summary.ts'),
          import('../../documents.ts'),
        ]);
      const loaded = await loadMendConfig(options.config);
      const { config, errors } = loaded;
      if (options.json) {
        const summary = config ? validSummary(config) : invalidSummary(errors, loaded);
        const { moreErrors, notes } = loaded;
        const result = { valid: config !== undefined, summary, errors, moreErrors, notes };
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.exitCode = config ? EXIT_OK : EXIT_FAILURE;
        return;
      }
      for (const note of loaded.notes) process.stderr.write(`note: ${terminalLine(note)}\n`);
      if (config) {
        process.stdout.write(`${validSummary(config)}\n`);
      } else {
        process.stderr.write(
          `${formatErrors(errors, loaded.moreErrors)}\n${invalidSummary(errors, loaded)}\n`,
        );
      }
      process.exitCode = config ? EXIT_OK : EXIT_FAILURE;
    });
};
