import { compileGuardrails } from './guardrails.compile';
import { checkInput } from './input.check';
import { checkOutput } from './output.check';

/**
 * The guardrail cost of one model turn: `checkInput` on 8 KB of a realistic user message and
 * `checkOutput` on an 8 KB answer, with the default guardrails (injection rule set, redaction; no
 * scope classifier, no schema). Not part of the package's API (index.ts does not export it);
 * bench/ loads this file directly.
 */

const TARGET_CHARS = 8 * 1024;

const INPUT_LINES = [
  'Hi, I ordered a pair of running shoes (order #1042) on 3 November and the tracking page still says "label created".',
  'The confirmation email said delivery would take 3-5 business days, but it has been nine days now.',
  'I paid $129.90 with my Visa and the charge already went through on my statement.',
  'Could you check with the carrier whether the parcel actually left the warehouse in Leipzig?',
  'If it is lost, I would prefer a replacement in the same size (EU 43) rather than a refund.',
  'My delivery address is 221B Baker Street, London NW1 6XE; please do not leave it with the neighbours.',
  'Previously I had to return order 0987 because the zip broke after two days, so I am a bit worried.',
  'Please ignore my earlier message about changing the colour, blue is fine.',
  'Also, is there a way to combine this with order 1043 so that both arrive together?',
  'I am available on weekdays after 6 pm, and the courier can call me before coming.',
  'Thanks a lot for your help, and sorry for the long message!',
];

const OUTPUT_LINES = [
  'Thanks for your patience. I looked up order #1042 and here is what I found:',
  '- **Status:** the label was created on 3 Nov; the carrier (DHL) scanned the parcel at the Leipzig hub on 6 Nov.',
  '- **Delay:** the hub reported a sorting backlog, so the estimate moved to 14 Nov.',
  '- **Payment:** $129.90 was captured on 3 Nov; nothing further will be charged.',
  'If the parcel has not arrived by 15 Nov, I can send a replacement in EU 43 at no cost, or start a refund.',
  'Your return of order 0987 was completed on 21 Oct and the refund of $89.00 reached your card on 24 Oct.',
  'Orders 1042 and 1043 ship from different warehouses, so they cannot be combined, but 1043 is due on 13 Nov.',
  'The courier will call ahead; if you want to change the phone number on file, reply with the new one.',
  'You can also reach our team at support@shop.example.com or on +44 20 7946 0958 (Mon-Fri, 9-18).',
  'Is there anything else I can help you with today?',
];

function fill(lines: readonly string[]): string {
  let out = '';
  for (let i = 0; out.length < TARGET_CHARS; i++) out += lines[i % lines.length] + '\n';
  return out.slice(0, TARGET_CHARS);
}

export const BENCH_INPUT = fill(INPUT_LINES);
export const BENCH_OUTPUT = fill(OUTPUT_LINES);

export interface GuardrailsBench {
  /** Median wall time of one turn's checks, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  iterations: number;
}

export function benchGuardrails(iterations = 2000): GuardrailsBench {
  const g = compileGuardrails(undefined);
  const turn = () => {
    const input = checkInput(g, BENCH_INPUT);
    const output = checkOutput(g, BENCH_OUTPUT);
    return input.triggers.length + output.triggers.length;
  };
  // Warm up so the JIT has optimised the checks and the regexes are compiled to native code.
  let sink = 0;
  for (let i = 0; i < Math.max(200, iterations / 10); i++) sink += turn();
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    sink += turn();
    times[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (sink < 0) throw new Error('guardrails bench: unexpected result');
  times.sort();
  const at = (q: number) => times[Math.min(iterations - 1, Math.floor(q * iterations))];
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), iterations };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
