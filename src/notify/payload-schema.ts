import { z } from 'zod';
import { formatJson } from '../config/format-json.ts';
import { notificationSchema } from './notification.ts';

export const PAYLOAD_SCHEMA_FILE = 'schema/notification.schema.json';
export const REGENERATE_PAYLOAD_SCHEMA = 'npx node src/notify/payload-schema.ts';

/** The JSON Schema of what a webhook notifier POSTs, from the zod schema mend builds it with. */
export function renderPayloadSchema(): string {
  const schema = z.toJSONSchema(notificationSchema, { target: 'draft-2020-12', io: 'output' });
  return formatJson({
    $schema: schema.$schema,
    title: 'mend notification (webhook payload)',
    ...schema,
  });
}

// Run from the repository root; test/notify checks that the committed file equals this output.
if (import.meta.main) {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(new URL(`../../${PAYLOAD_SCHEMA_FILE}`, import.meta.url), renderPayloadSchema());
  process.stdout.write(`wrote ${PAYLOAD_SCHEMA_FILE}\n`);
}
