import type { CapName } from '@tether/contracts';
import { capChangeProblems, capLimit, capSubject } from '../src/domain/cap-change.rules';

describe('capChangeProblems', () => {
  it.each<[string, CapName, string | undefined]>([
    ['acme', 'run', undefined],
    ['acme', 'run', '*'],
    ['acme', 'user_daily', 'u_88'],
    ['acme', 'user_monthly', '*'],
    ['acme', 'user_monthly', undefined],
    ['acme', 'tenant_daily', undefined],
    ['acme', 'tenant_monthly', '*'],
    ['_all', 'global_daily', undefined],
    ['_all', 'global_monthly', '*'],
    ['_all', 'run', undefined],
  ])('lets %s set %s for subject %p', (tenantId, cap, subject) => {
    expect(capChangeProblems({ tenantId, cap, subject, limitUsd: 5 })).toEqual([]);
  });

  it.each<[string, CapName, string | undefined, RegExp]>([
    ['acme', 'run', 'u_88', /subject can only be "\*"/],
    ['acme', 'tenant_daily', 'u_88', /subject can only be "\*"/],
    ['_all', 'global_daily', 'u_88', /subject can only be "\*"/],
    ['acme', 'user_daily', ' ', /needs a user id/],
    ['acme', 'user_daily', '', /needs a user id/],
    ['acme', 'global_daily', undefined, /for tenant _all only/],
    ['acme', 'global_monthly', '*', /for tenant _all only/],
    ['_all', 'tenant_daily', undefined, /_all takes only global_\* caps and run/],
    ['_all', 'user_monthly', 'u_88', /_all takes only global_\* caps and run/],
  ])('refuses %s setting %s for subject %p', (tenantId, cap, subject, problem) => {
    const problems = capChangeProblems({ tenantId, cap, subject, limitUsd: null });
    expect(problems.join('; ')).toMatch(problem);
  });
});

describe('capSubject', () => {
  it('stores a cap without subject under "*"', () => {
    expect(capSubject({})).toBe('*');
    expect(capSubject({ subject: 'u_88' })).toBe('u_88');
  });
});

describe('cap limits', () => {
  it('takes a removal (null) and 0', () => {
    expect(capChangeProblems({ tenantId: 'acme', cap: 'run', limitUsd: null })).toEqual([]);
    expect(capChangeProblems({ tenantId: 'acme', cap: 'run', limitUsd: 0 })).toEqual([]);
  });

  it('refuses a limit Postgres cannot store', () => {
    expect(capChangeProblems({ tenantId: 'acme', cap: 'run', limitUsd: 1e10 })).toEqual([
      'limitUsd must be below 10000000000',
    ]);
  });

  it('rounds a limit to 8 decimals, as it is stored', () => {
    expect(capLimit(0.123456789)).toBe(0.12345679);
    expect(capLimit(12.5)).toBe(12.5);
  });
});
