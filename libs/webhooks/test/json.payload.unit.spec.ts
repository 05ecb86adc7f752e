import { jsonPayload } from '../src';
import { aWebhookMessage } from './fixtures/webhook-message.builder';

describe('jsonPayload', () => {
  it('keeps what a program needs and leaves out what is only for people', () => {
    const msg = aWebhookMessage();
    expect(jsonPayload(msg)).toEqual({
      id: msg.id,
      type: 'approval.requested',
      tenantId: 'acme',
      time: '2025-01-15T10:00:00.000Z',
      data: { approvalId: 'apr_01JD', runId: 'run_01JD', tool: 'refund_order' },
    });
  });
});
