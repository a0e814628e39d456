import type { Command } from '@commander-js/extra-typings';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerRun } from './run.ts';
import { registerSchema } from './schema.ts';
import { registerValidate } from './validate.ts';

/** Registers one `mend` subcommand. Each command lives in its own file and is one line here. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerValidate,
  registerCheck,
  registerRun,
  registerDemo,
  registerSchema,
];
