import { Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { InjectMetrics } from '@tether/service-kit';
import { RUN_METRICS, type MetricSample, type RunMetric } from '../domain/run-metrics';

/** The run metrics of `domain/run-metrics.ts`, registered on this instance's registry. */
@Injectable()
export class RunMetrics {
  private readonly metrics: Record<RunMetric, Counter | Histogram>;

  constructor(@InjectMetrics() registry: Registry) {
    const entries = Object.entries(RUN_METRICS).map(([key, def]) => {
      const common = {
        name: def.name,
        help: def.help,
        labelNames: [...def.labelNames],
        registers: [registry],
      };
      const metric =
        def.type === 'histogram'
          ? new Histogram({ ...common, buckets: [...def.buckets] })
          : new Counter(common);
      return [key, metric] as const;
    });
    this.metrics = Object.fromEntries(entries) as Record<RunMetric, Counter | Histogram>;
  }

  record(samples: MetricSample[]): void {
    for (const { metric, labels, value } of samples) {
      const m = this.metrics[metric];
      if (m instanceof Histogram) m.observe(labels, value);
      else m.inc(labels, value);
    }
  }
}
