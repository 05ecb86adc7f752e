import type { WebhookMessage } from './webhook.message';

/** Slack's Block Kit limits (https://api.slack.com/reference/block-kit/blocks#section). */
export const SLACK_LIMITS = {
  fieldsPerSection: 10,
  fieldText: 2000,
  sectionText: 3000,
  blocksPerMessage: 50,
} as const;

export interface SlackText {
  type: 'mrkdwn';
  text: string;
}

export interface SlackSection {
  type: 'section';
  text?: SlackText;
  fields?: SlackText[];
}

/** An incoming-webhook body: `text` is the notification and fallback, `blocks` the message. */
export interface SlackWebhookBody {
  text: string;
  blocks: SlackSection[];
}

/**
 * Slack reads `&`, `<` and `>` as control characters: unescaped, a value could become a link or
 * an `<!channel>` mention that pings everyone. Nothing else needs escaping.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts already-escaped text to `max` characters with a trailing `…`, never inside an entity
 * (`&am`) or a surrogate pair, which Slack would show as garbage.
 */
export function truncateSlack(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, max - 1)
    .replace(/&[a-z]{0,3}$/, '')
    .replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}

function mrkdwn(text: string, max: number): SlackText {
  return { type: 'mrkdwn', text: truncateSlack(text, max) };
}

/** An http(s) link as `<url|label>`; `|` would end the URL early, so it is percent-encoded. */
function link(url: string | undefined): string {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return ` <${escapeSlack(url).replace(/\|/g, '%7C')}|Open in Tether>`;
}

/**
 * The `slack` format: a section with the bold title (and link) and the first 10 fields, then
 * sections of 10 more. Fields beyond what 50 blocks hold are dropped; the last says how many.
 */
export function slackPayload(msg: WebhookMessage): SlackWebhookBody {
  const title = escapeSlack(msg.title);
  const fields = Object.entries(msg.fields).map(([key, value]) =>
    mrkdwn(`*${escapeSlack(key)}*\n${escapeSlack(String(value))}`, SLACK_LIMITS.fieldText),
  );
  const room = SLACK_LIMITS.fieldsPerSection * SLACK_LIMITS.blocksPerMessage;
  if (fields.length > room) {
    const dropped = fields.length - room + 1;
    fields.splice(room - 1, fields.length, mrkdwn(`_${dropped} more fields_`, 100));
  }
  // The link is kept whole and the title cut instead: a cut link is a broken one. A URL too
  // long to fit is not one anybody clicks, so it is left out.
  const linked = link(msg.url);
  const suffix = linked.length <= SLACK_LIMITS.sectionText / 2 ? linked : '';
  const heading = `*${truncateSlack(title, SLACK_LIMITS.sectionText - 2 - suffix.length)}*${suffix}`;
  const blocks: SlackSection[] = [];
  for (let i = 0; i < fields.length || i === 0; i += SLACK_LIMITS.fieldsPerSection) {
    const chunk = fields.slice(i, i + SLACK_LIMITS.fieldsPerSection);
    const section: SlackSection = { type: 'section' };
    if (i === 0) section.text = { type: 'mrkdwn', text: heading };
    if (chunk.length) section.fields = chunk;
    blocks.push(section);
  }
  return { text: truncateSlack(title, SLACK_LIMITS.sectionText), blocks };
}
