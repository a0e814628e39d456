import { type Fault, type Receiver, startReceiver } from './http-receiver.ts';

const BLOCK_TYPES = new Set([
  'header',
  'section',
  'context',
  'divider',
  'actions',
  'image',
  'input',
  'rich_text',
  'file',
  'video',
]);

/**
 * Block Kit as Slack checks it on an incoming webhook (api.slack.com/reference/block-kit):
 * at most 50 blocks of known types; text objects are plain_text or mrkdwn; a header is plain_text
 * of at most 150 characters; section text at most 3000, at most 10 fields of at most 2000;
 * context at most 10 elements; a button's text plain_text of at most 75 and a url.
 */
export function slackErrors(message: unknown): string[] {
  if (typeof message !== 'object' || message === null) return ['not a JSON object'];
  const { blocks, text } = message as { blocks?: unknown; text?: unknown };
  const errors: string[] = [];
  if (text !== undefined && typeof text !== 'string') errors.push('text must be a string');
  if (!Array.isArray(blocks)) return [...errors, 'blocks must be an array'];
  if (blocks.length === 0 || blocks.length > 50) errors.push('1 to 50 blocks');
  blocks.forEach((block, i) => {
    errors.push(...blockErrors(block as Record<string, unknown>, `blocks[${i}]`));
  });
  return errors;
}

function textErrors(text: unknown, where: string, max: number, plainOnly = false): string[] {
  const t = text as { type?: unknown; text?: unknown } | undefined;
  if (typeof t !== 'object' || t === null) return [`${where}: a text object is required`];
  const types = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  const errors: string[] = [];
  if (!types.includes(String(t.type))) errors.push(`${where}.type must be ${types.join(' or ')}`);
  if (typeof t.text !== 'string' || t.text.length === 0)
    errors.push(`${where}.text must be non-empty`);
  else if (t.text.length > max) errors.push(`${where}.text longer than ${max} (${t.text.length})`);
  return errors;
}

function blockErrors(block: Record<string, unknown>, where: string): string[] {
  if (!BLOCK_TYPES.has(String(block.type)))
    return [`${where}: unknown block type ${String(block.type)}`];
  switch (block.type) {
    case 'header':
      return textErrors(block.text, `${where}.text`, 150, true);
    case 'section': {
      const fields = (block.fields ?? []) as unknown[];
      const errors =
        block.text === undefined && fields.length === 0 ? [`${where}: text or fields`] : [];
      if (block.text !== undefined) errors.push(...textErrors(block.text, `${where}.text`, 3000));
      if (fields.length > 10) errors.push(`${where}.fields: at most 10`);
      fields.forEach((f, i) => {
        errors.push(...textErrors(f, `${where}.fields[${i}]`, 2000));
      });
      return errors;
    }
    case 'context': {
      const elements = (block.elements ?? []) as unknown[];
      if (elements.length === 0 || elements.length > 10) return [`${where}.elements: 1 to 10`];
      return elements.flatMap((e, i) => textErrors(e, `${where}.elements[${i}]`, 3000));
    }
    case 'actions': {
      const elements = (block.elements ?? []) as Record<string, unknown>[];
      return elements.flatMap((e, i) => [
        ...(e.type === 'button' ? [] : [`${where}.elements[${i}]: only buttons expected`]),
        ...textErrors(e.text, `${where}.elements[${i}].text`, 75, true),
        ...(typeof e.url === 'string' && /^https?:\/\//.test(e.url)
          ? []
          : [`${where}.elements[${i}].url`]),
      ]);
    }
    default:
      return [];
  }
}

/**
 * Answers as Slack does: 200 "ok", or 400 "invalid_blocks" when a block breaks the rules; or, for
 * a request `fault` answers, what it says (a 503, a revoked webhook's 404 "no_service").
 */
export function startSlackReceiver(fault: Fault = () => undefined): Promise<Receiver> {
  return startReceiver(
    (request, index) =>
      fault(request, index) ??
      (slackErrors(request.body).length > 0
        ? { status: 400, body: 'invalid_blocks' }
        : { status: 200, body: 'ok' }),
  );
}
