import { bound, type Notification } from '../notification.ts';
import {
  approvalLines,
  chronicText,
  evidenceLines,
  timelineLine,
  titleOf,
} from '../render-text.ts';

/**
 * A Block Kit message for a Slack incoming webhook. Slack refuses a whole message when one block
 * breaks a limit (header text 150 characters, section text 3000, a field 2000, 10 fields, 10
 * context elements, 50 blocks), so every text is bounded here.
 */
export const SLACK_LIMITS = { header: 150, section: 3000, field: 2000, button: 75 };

type Text =
  | { type: 'plain_text'; text: string; emoji?: boolean }
  | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' }
  | {
      type: 'actions';
      elements: { type: 'button'; text: Text; url: string; action_id: string }[];
    };

export interface SlackMessage {
  /** Shown in notifications and where blocks cannot be. */
  text: string;
  blocks: SlackBlock[];
}

const ICON = { page: ':rotating_light:', resolve: ':white_check_mark:', approval: ':raised_hand:' };

/** mrkdwn treats &, < and > as markup (links, mentions): escape them in data. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const mrkdwn = (text: string, max = SLACK_LIMITS.section): Text => ({
  type: 'mrkdwn',
  text: bound(text, max),
});

/** A code block that cannot be closed early by the data inside it. */
function codeBlock(lines: string[]): string {
  const body = escapeMrkdwn(lines.join('\n').replaceAll('```', "'''"));
  // Leave room for the fences so the block stays closed after bounding.
  return `\`\`\`${bound(body, SLACK_LIMITS.section - 8)}\`\`\``;
}

export function slackMessage(n: Notification): SlackMessage {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: bound(`${ICON[n.event]} ${titleOf(n)}`, SLACK_LIMITS.header),
        emoji: true,
      },
    },
    {
      type: 'section',
      text: mrkdwn(escapeMrkdwn(n.summary)),
      fields: [
        mrkdwn(`*Service*\n${escapeMrkdwn(n.service ?? '-')}`, SLACK_LIMITS.field),
        mrkdwn(
          `*Incident*\n${escapeMrkdwn(n.incidents.join(', ') || n.dedupKey)}`,
          SLACK_LIMITS.field,
        ),
        mrkdwn(`*Attempts*\n${n.attempts}`, SLACK_LIMITS.field),
      ],
    },
  ];
  const chronic = chronicText(n);
  if (chronic)
    blocks.push({ type: 'section', text: mrkdwn(`:warning: *${escapeMrkdwn(chronic)}*`) });
  if (n.reason) {
    const { code, message } = n.reason;
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Reason* \`${escapeMrkdwn(code)}\`\n${escapeMrkdwn(message)}`),
    });
  }
  if (n.approval) {
    const [waiting, ...commands] = approvalLines(n);
    blocks.push({
      type: 'section',
      text: mrkdwn(`${escapeMrkdwn(waiting!)}\n${codeBlock(commands)}`),
    });
  }
  if (n.evidence.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Evidence*\n${codeBlock(n.evidence.flatMap(evidenceLines))}`),
    });
  }
  if (n.timeline.length > 0) {
    // Context: small grey text, the right weight for the history under the headline.
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*Timeline*\n${escapeMrkdwn(n.timeline.map(timelineLine).join('\n'))}`)],
    });
  }
  if (n.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open the incident' },
          url: n.link,
          action_id: 'mend-open-incident',
        },
      ],
    });
  }
  return { text: bound(titleOf(n), SLACK_LIMITS.section), blocks };
}
