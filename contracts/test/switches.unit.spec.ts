import {
  ALL_TENANTS,
  SwitchFlipped,
  SwitchSetting,
  bucketNames,
  kvStreamName,
  parseAs,
  parseSwitchKey,
  subjects,
  switchKey,
} from '../src';

const aFlip = (over: Partial<SwitchFlipped> = {}): SwitchFlipped => ({
  id: 'swf_01JD0000000000000000000000',
  type: 'switch.flipped',
  time: '2026-01-05T10:00:00.000Z',
  scope: 'tenant',
  tenantId: 'acme',
  target: 'tool',
  name: 'issue_refund',
  enabled: false,
  by: 'ops@example.com',
  reason: 'payments incident',
  ...over,
});

describe('kill switches', () => {
  describe('names', () => {
    it('derives the bucket, its stream and the audit subjects from the prefix', () => {
      expect(bucketNames('t-42').switches).toBe('T_42_SWITCHES');
      expect(kvStreamName(bucketNames('tether').switches)).toBe('KV_TETHER_SWITCHES');
      expect(subjects.switchFlips('tether', 'acme')).toBe('tether.ctl.acme.switch.tool');
      expect(subjects.switchFlips('tether', ALL_TENANTS)).toBe('tether.ctl._all.switch.tool');
      expect(subjects.allSwitchFlips('tether')).toBe('tether.ctl.*.switch.>');
    });

    it('keys a tool switch by scope and name, and reads a dotted tool name back whole', () => {
      expect(switchKey('acme', 'issue_refund')).toBe('tool.acme.issue_refund');
      expect(switchKey(ALL_TENANTS, 'crm.search')).toBe('tool._all.crm.search');
      expect(parseSwitchKey('tool._all.crm.search')).toEqual({
        target: 'tool',
        scope: '_all',
        name: 'crm.search',
      });
    });

    it.each(['tool.acme', 'agent.acme.support-agent', 'tool', ''])(
      'does not read %j as a tool switch',
      (key) => {
        expect(parseSwitchKey(key)).toBeUndefined();
      },
    );
  });

  describe(SwitchFlipped.name, () => {
    it('accepts a tenant flip and an all-tenants flip', () => {
      expect(parseAs(SwitchFlipped, aFlip()).ok).toBe(true);
      expect(parseAs(SwitchFlipped, aFlip({ scope: 'all', tenantId: undefined })).ok).toBe(true);
    });

    it.each<[string, Partial<SwitchFlipped>, RegExp]>([
      ['a blank reason', { reason: '  ' }, /reason must not be empty/],
      ['no one who flipped it', { by: '' }, /by must not be empty/],
      ['a tool name with a space', { name: 'issue refund' }, /name must be a tool name/],
      ['a tenant flip without a tenant', { tenantId: undefined }, /tenantId/],
      ['the reserved tenant', { tenantId: ALL_TENANTS }, /"_all" is reserved/],
      ['a tenant that is not a token', { tenantId: 'acme.eu' }, /tenantId/],
      ['an unknown scope', { scope: 'global' as 'all' }, /scope/],
    ])('refuses %s', (_what, over, problem) => {
      const parsed = parseAs(SwitchFlipped, aFlip(over));
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? [] : parsed.problems.join('; ')).toMatch(problem);
    });
  });

  describe(SwitchSetting.name, () => {
    it('reads a value with or without the id of its audit record', () => {
      const value = { enabled: false, by: 'ops', reason: 'r', at: '2026-01-05T10:00:00.000Z' };
      expect(parseAs(SwitchSetting, value).ok).toBe(true);
      expect(parseAs(SwitchSetting, { ...value, flipId: 'swf_1' }).ok).toBe(true);
      expect(parseAs(SwitchSetting, { ...value, enabled: 'no' }).ok).toBe(false);
    });
  });
});
