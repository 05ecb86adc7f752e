import { withoutNul } from '../src';

describe(withoutNul.name, () => {
  it('replaces U+0000 in every string, keys included, and keeps everything else', () => {
    const event = {
      type: 'run.started',
      data: {
        input: 'order\u00001042',
        roles: ['us\u0000er', 'admin'],
        metadata: { 'k\u0000': { n: 1, ok: true, none: null } },
      },
    };
    expect(withoutNul(event)).toEqual({
      type: 'run.started',
      data: {
        input: 'order\uFFFD1042',
        roles: ['us\uFFFDer', 'admin'],
        metadata: { 'k\uFFFD': { n: 1, ok: true, none: null } },
      },
    });
    expect(event.data.input).toBe('order\u00001042');
  });
});
