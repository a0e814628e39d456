import { renderJsonSchema } from '../../config/json-schema.ts';
import { documentKinds } from '../../documents.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerSchema: RegisterCommand = (program) => {
  program
    .command('schema')
    .description(
      'Print the JSON Schema of a mend config document (for editors: yaml-language-server, VS Code).',
    )
    .action(() => {
      process.stdout.write(renderJsonSchema(documentKinds));
    });
};
