import { renderJsonSchema } from '../../config/json-schema.ts';
import type { RegisterCommand } from './index.ts';

export const registerSchema: RegisterCommand = (program) => {
  program
    .command('schema')
    .description(
      'Print the JSON Schema of a mend config document (for editors: yaml-language-server, VS Code).',
    )
    .action(() => {
      process.stdout.write(renderJsonSchema());
    });
};
