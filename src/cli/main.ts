import { Command, CommanderError } from '@commander-js/extra-typings';
import { VERSION } from '../support/version.ts';
import { commands } from './commands/index.ts';
import { EXIT_USAGE } from './exit-codes.ts';

const program = new Command()
  .name('mend')
  .description('A self-healing controller for infrastructure: detect, decide, act, learn.')
  .version(`mend ${VERSION}`, '-V, --version', 'print the version and exit')
  .showSuggestionAfterError(true)
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every usage error exits 2, like other Unix tools.
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  throw err;
}
