import type { Command } from '@commander-js/extra-typings';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerRun } from './run.ts';

/** Registers one `mend` subcommand. Each command lives in its own file and is one line here. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerCheck, registerRun, registerDemo];
