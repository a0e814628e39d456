import type { RegisterCommand } from './register-command.ts';

export const registerSchema: RegisterCommand = (program) => {
  program
    .command('schema')
    .description(
      'Print the JSON Schema of a mend config document (for editors: yaml-language-server, VS Code).',
    )
    .action(async () => {
      const [{ renderJsonSchema }, { documentKinds }] = await Promise.all([
        import('../../config/json-schema.ts'),
        import('../../documents.ts'),
      ]);
      process.stdout.write(renderJsonSchema(documentKinds));
    });
};
