import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { alertRulesOf, loadAlertRules } from '../src/adapters/config/alert-rules.file';
import { loadConfig } from '../src/config';
import { DEFAULT_ALERT_RULES } from '../src/domain/alert-rules';

const rulesOf = (yaml: string) => alertRulesOf(parse(yaml), 'alerts.yaml');
const problemsOf = (yaml: string): string[] => {
  try {
    rulesOf(yaml);
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
  throw new Error('expected the file to be refused');
};

describe('alert rules', () => {
  describe('from the alerts file', () => {
    it('are the built-in rules when there is no file or it is empty', () => {
      expect(loadAlertRules(undefined)).toEqual(DEFAULT_ALERT_RULES);
      expect(rulesOf('')).toEqual(DEFAULT_ALERT_RULES);
      expect(rulesOf('rules: []')).toEqual(DEFAULT_ALERT_RULES);
    });

    it('change only the fields given of a built-in rule', () => {
      const rules = rulesOf(`
rules:
  - name: tool-error-rate
    threshold: 0.1
    by: agent
  - name: loop-detected
    minSample: 5
`);
      expect(rules.find((r) => r.name === 'tool-error-rate')).toEqual({
        name: 'tool-error-rate',
        kind: 'tool_error_rate',
        windowMs: 300_000,
        by: 'agent',
        threshold: 0.1,
        minSample: 20,
      });
      expect(rules.find((r) => r.name === 'loop-detected')).toMatchObject({
        reasons: ['loop_detected'],
        threshold: 0.05,
        minSample: 5,
      });
      expect(rules).toHaveLength(DEFAULT_ALERT_RULES.length);
    });

    it('turn a rule off, and add new ones from the defaults of their kind', () => {
      const rules = rulesOf(`
rules:
  - { name: abort-rate, enabled: false }
  - name: checkout-duration
    kind: latency_p99
    of: run
    thresholdMs: 120000
    agents: [checkout]
    tenants: [acme]
`);
      expect(rules.map((r) => r.name)).toEqual([
        'tool-error-rate',
        'loop-detected',
        'model-latency-p99',
        'cost-spike',
        'checkout-duration',
      ]);
      expect(rules.at(-1)).toEqual({
        name: 'checkout-duration',
        kind: 'latency_p99',
        windowMs: 300_000,
        by: 'release',
        of: 'run',
        thresholdMs: 120_000,
        minSample: 20,
        agents: ['checkout'],
        tenants: ['acme'],
      });
    });

    it('keep only the file rules with defaults: false', () => {
      const rules = rulesOf(`
defaults: false
rules:
  - { name: big-spend, kind: cost_spike, multiple: null, maxUsd: 100, windowMs: 3600000 }
`);
      expect(rules).toEqual([
        {
          name: 'big-spend',
          kind: 'cost_spike',
          windowMs: 3_600_000,
          by: 'agent',
          multiple: null,
          minUsd: 1,
          maxUsd: 100,
          baselineMs: 86_400_000,
        },
      ]);
    });

    it('name every problem of every rule at once', () => {
      expect(
        problemsOf(`
rulez: []
defaults: maybe
rules:
  - name: tool-error-rate
    threshold: 20
    minSample: 0
    windowMs: 1000
  - name: Bad Name
  - kind: abort_rate
  - name: new-rule
    threshold: 0.5
  - name: cost-spike
    kind: abort_rate
  - name: abort-rate
    reasons: [LOOP]
    colour: red
  - { name: short-baseline, kind: cost_spike }
  - name: cheap
    kind: cost_spike
    multiple: null
  - name: short-baseline
    kind: cost_spike
    baselineMs: 5400000
  - name: latency
    kind: latency_p99
    threshold: 0.5
  - just a string
`),
      ).toEqual([
        'rulez: unknown field (expected defaults, rules)',
        'defaults: true or false',
        'rules[0] (tool-error-rate).threshold: a share from 0 up to (not including) 1, e.g. 0.2',
        'rules[0] (tool-error-rate).minSample: a whole number from 1 to 1000000',
        'rules[0] (tool-error-rate).windowMs: a whole number from 60000 to 86400000',
        'rules[1] (Bad Name).name: a name of lower-case letters, digits and "-", starting with a letter (up to 64)',
        'rules[2]: name is required',
        'rules[5] (abort-rate).reasons: a non-empty list of reason codes such as loop_detected',
        'rules[5] (abort-rate).colour: unknown field',
        'rules[10]: must be a mapping',
        'rules[3] (new-rule): kind is required for a rule that is not built in',
        'rules[4] (cost-spike): a built-in rule is a cost_spike; give a new rule a name of its own',
        'rules[7] (cheap): a cost_spike needs a multiple, a maxUsd or both',
        'rules[8] (short-baseline): the name is used twice',
        'rules[8] (short-baseline): baselineMs must be whole hours, longer than windowMs',
        'rules[9] (latency): threshold does not apply to latency_p99',
      ]);
    });

    it('stop the service at boot with the file named', () => {
      const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
      try {
        const file = join(dir, 'alerts.yaml');
        writeFileSync(file, 'rules:\n  - { name: abort-rate, threshold: 2 }\n');
        expect(() => loadConfig({ TETHER_ALERTS_FILE: file })).toThrow(
          `${file}: invalid alert rules: rules[0] (abort-rate).threshold: a share from 0 up to (not including) 1, e.g. 0.2`,
        );
        expect(() => loadConfig({ TETHER_ALERTS_FILE: join(dir, 'missing.yaml') })).toThrow(
          /cannot read the alerts file .*missing\.yaml/,
        );
        writeFileSync(file, 'rules:\n  - { name: abort-rate, threshold: 0.3 }\n');
        expect(
          loadConfig({ TETHER_ALERTS_FILE: file }).alerts?.rules.find(
            (r) => r.name === 'abort-rate',
          ),
        ).toMatchObject({ threshold: 0.3 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('from the environment', () => {
    it('are evaluated every 15 s by default, never with an interval of 0', () => {
      expect(loadConfig({}).alerts).toMatchObject({ intervalMs: 15_000, webhook: undefined });
      expect(loadConfig({ TETHER_ALERT_INTERVAL_MS: '0' }).alerts?.intervalMs).toBe(0);
      expect(() => loadConfig({ TETHER_ALERT_INTERVAL_MS: '10' })).toThrow(
        /TETHER_ALERT_INTERVAL_MS must be 0 \(off\) or at least 1000/,
      );
    });

    it('are sent to a signed webhook only with a secret', () => {
      const url = 'https://hooks.example.com/tether';
      expect(
        loadConfig({ TETHER_ALERT_WEBHOOK_URL: url, TETHER_ALERT_WEBHOOK_SECRET: 's3cret' }).alerts
          ?.webhook?.target,
      ).toBe('https://hooks.example.com');
      expect(() => loadConfig({ TETHER_ALERT_WEBHOOK_URL: url })).toThrow(
        /TETHER_ALERT_WEBHOOK_SECRET is not/,
      );
    });
  });
});
