import { z } from 'zod';
import { secretRef } from '../../secrets/secret-ref.ts';
import { postJson } from '../http-post.ts';
import { defineNotifierKind } from '../notifier-kind.ts';
import { httpUrl } from './http-url.ts';
import { pagerDutyEvent } from './pagerduty-event.ts';

export const PAGERDUTY_DEFAULTS = {
  url: 'https://events.pagerduty.com/v2/enqueue',
  severity: 'critical' as 'critical' | 'error' | 'warning' | 'info',
};

export const pagerDutySpec = z.strictObject({
  routingKey: secretRef('The integration (routing) key of an Events API v2 integration'),
  severity: z
    .enum(['critical', 'error', 'warning', 'info'])
    .default(PAGERDUTY_DEFAULTS.severity)
    .describe(
      'The severity of pages (approval requests are always `warning`). Default `critical`.',
    ),
  url: httpUrl()
    .default(PAGERDUTY_DEFAULTS.url)
    .describe(
      `The Events API endpoint; change it for PagerDuty's EU service region or a test receiver. Default \`${PAGERDUTY_DEFAULTS.url}\`.`,
    ),
});

/** PagerDuty Events API v2: trigger with dedup_key = the incident id, resolve on recovery. */
export const pagerDutyNotifier = defineNotifierKind({
  name: 'pagerduty',
  summary: 'PagerDuty Events API v2: trigger with dedup_key = incident id, resolve on recovery',
  spec: pagerDutySpec,
  async deliver(spec, notification, ctx) {
    const routingKey = await ctx.secret(spec.routingKey);
    await postJson(spec.url, pagerDutyEvent(notification, routingKey, spec.severity), {
      signal: ctx.signal,
    });
  },
});
