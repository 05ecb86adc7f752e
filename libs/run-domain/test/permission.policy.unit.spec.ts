import { Tier, type PermissionRule } from '@tether/contracts';
import {
  DEFAULT_DENY,
  evaluatePermission,
  globMatches,
  resourceOf,
  type Effect,
} from '../src/permission.policy';

const rule = (role: string, tool: string, effect: Effect, resource?: string): PermissionRule => ({
  role,
  tool,
  effect,
  ...(resource === undefined ? {} : { resource }),
});

/** The support desk's matrix, as an operator would write it. */
const SUPPORT: PermissionRule[] = [
  rule('admin', '*', 'allow'),
  rule('*', 'delete_*', 'deny'),
  rule('user', 'lookup_*', 'allow', '*'),
  rule('user', 'search_*', 'allow'),
  rule('user', 'draft_refund_note', 'allow', 'order:1*'),
  rule('support-?', 'draft_*', 'allow'),
  rule('user', 'issue_refund', 'deny', 'order:9*'),
  rule('user', '*', 'ask', '*'),
];

const ask = (
  roles: string[],
  tool: string,
  tier: Tier = Tier.ReadOnly,
  resource = '*',
  rules: PermissionRule[] | undefined = SUPPORT,
) => evaluatePermission(rules, { roles, tool, tier, resource });

describe('evaluatePermission', () => {
  describe('default deny', () => {
    it.each<[string, PermissionRule[] | undefined]>([
      ['no permissions section', undefined],
      ['an empty matrix', []],
      ['rules for other roles only', [rule('admin', '*', 'allow')]],
      ['rules for other tools only', [rule('user', 'lookup_*', 'allow')]],
      ['rules for other resources only', [rule('user', '*', 'allow', 'order:1*')]],
    ])('denies with %s', (_what, rules) => {
      const request = {
        roles: ['user'],
        tool: 'issue_refund',
        tier: Tier.BoundedWrite,
        resource: 'order:42',
      };
      expect(evaluatePermission(rules, request)).toEqual({
        effect: 'deny',
        rule: DEFAULT_DENY,
      });
    });

    it('denies a caller without roles', () => {
      expect(ask([], 'lookup_order')).toEqual({ effect: 'deny', rule: DEFAULT_DENY });
    });
  });

  describe('first match wins', () => {
    it('allows a read-only tool by its prefix rule', () => {
      expect(ask(['user'], 'lookup_order')).toEqual({
        effect: 'allow',
        rule: 'permissions[2]: user × lookup_* × * → allow',
      });
    });

    it('an earlier deny beats a later allow', () => {
      expect(ask(['user'], 'delete_order').effect).toBe('deny');
      expect(ask(['user'], 'delete_order').rule).toBe('permissions[1]: * × delete_* × * → deny');
    });

    it('an earlier allow for admin beats the deny that follows', () => {
      expect(ask(['admin'], 'delete_order', Tier.BoundedWrite).effect).toBe('allow');
    });

    it('falls through to the catch-all ask', () => {
      expect(ask(['user'], 'draft_refund_note', Tier.BoundedWrite, 'order:42')).toEqual({
        effect: 'ask',
        rule: 'permissions[7]: user × * × * → ask',
      });
    });

    it('reordering the same rules changes the answer', () => {
      const reversed = [rule('user', '*', 'deny'), rule('user', 'lookup_*', 'allow')];
      expect(ask(['user'], 'lookup_order', Tier.ReadOnly, '*', reversed).effect).toBe('deny');
    });

    it('uses any of the caller’s roles', () => {
      expect(ask(['viewer', 'user'], 'lookup_order').effect).toBe('allow');
    });

    it('takes the first matching rule, not the most permissive role', () => {
      // admin's rule comes first, so a user who is also admin is allowed even a delete.
      expect(ask(['user', 'admin'], 'delete_order', Tier.BoundedWrite).effect).toBe('allow');
    });
  });

  describe('resources', () => {
    it('allows the resources a rule names', () => {
      expect(ask(['user'], 'draft_refund_note', Tier.BoundedWrite, 'order:1042').effect).toBe(
        'allow',
      );
    });

    it('asks for resources outside it', () => {
      expect(ask(['user'], 'draft_refund_note', Tier.BoundedWrite, 'order:2042').effect).toBe(
        'ask',
      );
    });

    it('a rule without a resource covers every resource', () => {
      expect(ask(['user'], 'search_policy', Tier.ReadOnly, 'policy:returns').effect).toBe('allow');
    });

    it('denies a tier 2 call on a denied resource instead of asking', () => {
      expect(ask(['user'], 'issue_refund', Tier.Irreversible, 'order:9001')).toEqual({
        effect: 'deny',
        rule: 'permissions[6]: user × issue_refund × order:9* → deny',
      });
    });

    it('an empty resource (a missing argument) matches only catch-alls', () => {
      expect(ask(['user'], 'draft_refund_note', Tier.BoundedWrite, 'order:').effect).toBe('ask');
    });
  });

  describe('tier 2 always asks', () => {
    it('turns an allow into ask', () => {
      expect(ask(['admin'], 'issue_refund', Tier.Irreversible)).toEqual({
        effect: 'ask',
        rule: 'permissions[0]: admin × * × * → allow (tier 2 always asks)',
      });
    });

    it('keeps ask as ask', () => {
      expect(ask(['user'], 'issue_refund', Tier.Irreversible, 'order:42').effect).toBe('ask');
    });

    it('keeps deny as deny', () => {
      expect(ask(['user'], 'delete_account', Tier.Irreversible).effect).toBe('deny');
    });

    it('keeps default deny as deny', () => {
      expect(ask(['guest'], 'issue_refund', Tier.Irreversible).effect).toBe('deny');
    });

    it('leaves tier 1 allow as allow', () => {
      expect(ask(['admin'], 'draft_refund_note', Tier.BoundedWrite).effect).toBe('allow');
    });

    it('turns even an allow-everything matrix into ask', () => {
      const open = [rule('*', '*', 'allow', '*')];
      expect(ask(['anyone'], 'charge_card', Tier.Irreversible, '*', open).effect).toBe('ask');
    });
  });

  describe('role globs', () => {
    it.each([
      ['support-1', 'allow'],
      ['support-x', 'allow'],
      ['support-12', 'deny'],
      ['support-', 'deny'],
    ])('role %s on draft_invoice → %s', (role, effect) => {
      expect(ask([role], 'draft_invoice', Tier.BoundedWrite).effect).toBe(effect);
    });
  });
});

describe('globMatches', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything:at/all', true],
    ['lookup_*', 'lookup_order', true],
    ['lookup_*', 'lookup_', true],
    ['lookup_*', 'xlookup_order', false],
    ['*_order', 'lookup_order', true],
    ['lookup_order', 'lookup_order', true],
    ['lookup_order', 'Lookup_order', false],
    ['lookup.order', 'lookupXorder', false],
    ['order:?', 'order:1', true],
    ['order:?', 'order:12', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'a-b-x', false],
    ['(x)+', '(x)+', true],
    ['(x)+', 'xx', false],
  ])('%s against %j → %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});

describe('resourceOf', () => {
  it('is * without a template', () => {
    expect(resourceOf(undefined, { orderId: '1' })).toBe('*');
  });

  it('fills placeholders from arguments, nested ones too', () => {
    expect(
      resourceOf('tenant/{account.id}/order:{orderId}', { orderId: 1042, account: { id: 'a7' } }),
    ).toBe('tenant/a7/order:1042');
  });

  it('fills a missing or non-scalar argument as empty', () => {
    expect(resourceOf('order:{orderId}', {})).toBe('order:');
    expect(resourceOf('order:{orderId}', { orderId: { $gt: '' } })).toBe('order:');
    expect(resourceOf('order:{orderId}', { orderId: ['1', '2'] })).toBe('order:');
  });
});
