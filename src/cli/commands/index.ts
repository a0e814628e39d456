import type { Command } from '@commander-js/extra-typings';

/** Registers one `mend` subcommand. Each command lives in its own file and is one line here. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
