import type { ToolSpec } from '@tether/contracts';
import { toolNameCodec } from '../src';

const tool = (name: string) => ({ name, tier: 0 }) as ToolSpec;

describe('toolNameCodec', () => {
  it('keeps names the providers accept', () => {
    const sut = toolNameCodec([tool('lookup_order'), tool('issue-refund')], []);
    expect(sut.toWire('lookup_order')).toBe('lookup_order');
    expect(sut.fromWire('issue-refund')).toBe('issue-refund');
  });

  it('maps dotted names both ways, avoiding collisions', () => {
    const sut = toolNameCodec([tool('crm_note'), tool('crm.note')], []);
    expect(sut.toWire('crm_note')).toBe('crm_note');
    expect(sut.toWire('crm.note')).toBe('crm_note_2');
    expect(sut.fromWire('crm_note_2')).toBe('crm.note');
    expect(sut.fromWire('crm_note')).toBe('crm_note');
  });

  it('also maps names only found in the transcript', () => {
    const sut = toolNameCodec(
      [],
      [{ role: 'assistant', toolCalls: [{ callId: 'c1', name: 'old.tool', args: {} }] }],
    );
    expect(sut.toWire('old.tool')).toBe('old_tool');
  });
});
