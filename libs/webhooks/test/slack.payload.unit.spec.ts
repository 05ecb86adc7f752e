import { SLACK_LIMITS, escapeSlack, slackPayload } from '../src';
import { aWebhookMessage } from './fixtures/webhook-message.builder';

const manyFields = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`field${i}`, i]));

describe('slackPayload', () => {
  it('is a bold title with a link, then the fields as mrkdwn', () => {
    expect(slackPayload(aWebhookMessage())).toEqual({
      text: 'Approval needed: refund_order',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Approval needed: refund_order* <https://tether.example.com/approvals/apr_01JD|Open in Tether>',
          },
          fields: [
            { type: 'mrkdwn', text: '*run*\nrun_01JD' },
            { type: 'mrkdwn', text: '*tool*\nrefund_order' },
            { type: 'mrkdwn', text: '*amount*\n42.5' },
            { type: 'mrkdwn', text: '*urgent*\ntrue' },
          ],
        },
      ],
    });
  });

  it('leaves out the fields key when there are none', () => {
    const sut = slackPayload(aWebhookMessage({ fields: {}, url: undefined }));
    expect(sut.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: expect.any(String) } },
    ]);
  });

  describe('escaping', () => {
    it('escapes &, < and > in the title, field names and values', () => {
      const sut = slackPayload(
        aWebhookMessage({
          title: 'R&D <!channel> wants > 5',
          fields: { 'a<b>': 'x & <https://evil.example|click>' },
          url: undefined,
        }),
      );
      expect(sut.text).toBe('R&amp;D &lt;!channel&gt; wants &gt; 5');
      expect(sut.blocks[0].text?.text).toBe('*R&amp;D &lt;!channel&gt; wants &gt; 5*');
      expect(sut.blocks[0].fields?.[0].text).toBe(
        '*a&lt;b&gt;*\nx &amp; &lt;https://evil.example|click&gt;',
      );
    });

    it('escapes each character once', () => {
      expect(escapeSlack('&amp; <>')).toBe('&amp;amp; &lt;&gt;');
    });

    it('links only http(s) URLs, with | percent-encoded so it cannot end the link', () => {
      const link = (url: string) => slackPayload(aWebhookMessage({ url })).blocks[0].text?.text;
      expect(link('javascript:alert(1)')).toBe('*Approval needed: refund_order*');
      expect(link('https://x.example/a?b=1&c=2|3')).toBe(
        '*Approval needed: refund_order* <https://x.example/a?b=1&amp;c=2%7C3|Open in Tether>',
      );
    });
  });

  describe('limits', () => {
    it('puts at most 10 fields in a section, the title section first', () => {
      const sut = slackPayload(aWebhookMessage({ fields: manyFields(23) }));
      expect(sut.blocks.map((b) => b.fields?.length)).toEqual([10, 10, 3]);
      expect(sut.blocks[0].text).toBeDefined();
      expect(sut.blocks[1].text).toBeUndefined();
      expect(sut.blocks[2].fields?.[2].text).toBe('*field22*\n22');
    });

    it('stops at 50 blocks and says how many fields were left out', () => {
      const sut = slackPayload(aWebhookMessage({ fields: manyFields(612) }));
      expect(sut.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
      expect(sut.blocks.every((b) => (b.fields?.length ?? 0) <= 10)).toBe(true);
      expect(sut.blocks[49].fields?.[9].text).toBe('_113 more fields_');
      expect(sut.blocks[49].fields?.[8].text).toBe('*field498*\n498');
    });

    it('cuts a field to 2000 characters, never inside an escape', () => {
      const sut = slackPayload(aWebhookMessage({ fields: { note: '<'.repeat(3000) } }));
      const text = sut.blocks[0].fields?.[0].text ?? '';
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      expect(text).toMatch(/^\*note\*\n(&lt;)+…$/);
    });

    it('does not split a surrogate pair when cutting', () => {
      const sut = slackPayload(aWebhookMessage({ fields: { n: '𝄞'.repeat(1500) } }));
      const text = sut.blocks[0].fields?.[0].text ?? '';
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      expect(text.endsWith('𝄞…')).toBe(true);
    });

    it('keeps a long title within the section limit, and the link whole', () => {
      const sut = slackPayload(aWebhookMessage({ title: 'x'.repeat(5000) }));
      const heading = sut.blocks[0].text?.text ?? '';
      expect(heading.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(heading).toMatch(
        /…\* <https:\/\/tether\.example\.com\/approvals\/apr_01JD\|Open in Tether>$/,
      );
      expect(sut.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    });

    it('leaves out a link too long to fit', () => {
      const url = `https://x.example/${'a'.repeat(2000)}`;
      expect(slackPayload(aWebhookMessage({ url })).blocks[0].text?.text).toBe(
        '*Approval needed: refund_order*',
      );
    });

    it('keeps every text of a large message within its limit', () => {
      const sut = slackPayload(
        aWebhookMessage({
          title: '&'.repeat(4000),
          fields: Object.fromEntries(
            Array.from({ length: 30 }, (_, i) => [`k${i}`, '>'.repeat(i * 100)]),
          ),
        }),
      );
      expect(sut.blocks[0].text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      for (const section of sut.blocks) {
        expect(section.fields?.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
        for (const field of section.fields ?? []) {
          expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
        }
      }
    });
  });
});
