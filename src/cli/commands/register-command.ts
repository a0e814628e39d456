import type { Command } from '@commander-js/extra-typings';

/** Registers one `mend` subcommand. Each command lives in its own file and is one line in index.ts. */
export type RegisterCommand = (program: Command) => void;
