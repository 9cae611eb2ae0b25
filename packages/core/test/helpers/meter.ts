/** A real OpenTelemetry SDK MeterProvider whose metrics a test reads back on demand. */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Point {
  readonly attributes: Attributes;
  /** The value of a sum or gauge; the count of a histogram. */
  readonly value: number;
  /** A histogram's sum. */
  readonly sum?: number;
}

export class TestMeter {
  private readonly reader = new PullReader();
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });

  /** Every point of every metric, by metric name. */
  async read(): Promise<Map<string, Point[]>> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const out = new Map<string, Point[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const points = metric.dataPoints.map((p) =>
          metric.dataPointType === DataPointType.HISTOGRAM
            ? {
                attributes: p.attributes,
                value: (p.value as { count: number }).count,
                sum: (p.value as { sum?: number }).sum,
              }
            : { attributes: p.attributes, value: p.value as number },
        );
        out.set(metric.descriptor.name, points);
      }
    }
    return out;
  }

  /** The value of `name` at exactly `attributes` (0 when there is no such point). */
  async value(name: string, attributes: Attributes = {}): Promise<number> {
    const points = (await this.read()).get(name) ?? [];
    const found = points.find((p) => sameAttributes(p.attributes, attributes));
    return found?.value ?? 0;
  }

  shutdown(): Promise<void> {
    return this.meterProvider.shutdown();
  }
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
