import { redact } from '@tether/redaction';
import type { PendingCall } from '@tether/run-domain';
import { OriginalArgs } from '../src/application/original-args';

const real = { email: 'jane.doe@example.com', orderId: '1042' };
const logged = redact(real).value as Record<string, unknown>;
const call = (args: Record<string, unknown>, redacted: boolean): PendingCall => ({
  callId: 'call_1_0',
  tool: 'lookup_customer',
  tier: 0,
  args,
  step: 1,
  status: 'requested',
  attempt: 0,
  ...(redacted && { redacted: true }),
});

describe(OriginalArgs.name, () => {
  it('gives back the real arguments of a call the log holds redacted', () => {
    const originals = new OriginalArgs();
    originals.remember('run_1', 'call_1_0', real);
    expect(logged.email).toBe('[REDACTED:email]');
    expect(originals.argsFor('run_1', call(logged, true))).toEqual(real);
  });

  it('uses the logged arguments when nothing in them was redacted', () => {
    const originals = new OriginalArgs();
    expect(originals.argsFor('run_1', call({ orderId: '1042' }, false))).toEqual({
      orderId: '1042',
    });
  });

  it('uses an approver’s edited arguments over the remembered ones', () => {
    const originals = new OriginalArgs();
    originals.remember('run_1', 'call_1_0', real);
    const edited = { email: '[REDACTED:email]', orderId: '2042' };
    expect(originals.argsFor('run_1', call(edited, true))).toEqual(edited);
  });

  it('has nothing for a redacted call another worker decided', () => {
    expect(new OriginalArgs().argsFor('run_1', call(logged, true))).toBeUndefined();
  });

  it('keeps calls apart by run', () => {
    const originals = new OriginalArgs();
    originals.remember('run_1', 'call_1_0', real);
    expect(originals.argsFor('run_2', call(logged, true))).toBeUndefined();
  });
});
