import type { AddressInfo } from 'node:net';
import type { RunningService } from '@tether/service-kit';

/** One series of a Prometheus text exposition: `name{labels} value`. */
export interface ScrapedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The URL of a service's `GET /metrics`, on the port it actually listens on. */
export function metricsUrl({ app }: RunningService): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/metrics`;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (comments skipped; no timestamps, as prom-client writes it). */
export function parseMetrics(text: string): ScrapedSample[] {
  const out: ScrapedSample[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k] = v.replace(/\\(.)/g, '$1');
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** `GET /metrics`, checked for status and content type, parsed. */
export async function scrapeMetrics(url: string): Promise<ScrapedSample[]> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  // Express puts its charset first; Prometheus reads the parameters in any order.
  if (!type.startsWith('text/plain;') || !type.includes('version=0.0.4'))
    throw new Error(`GET ${url}: content type ${type}`);
  return parseMetrics(await res.text());
}

/**
 * The samples whose name is in `names`, keyed `name{k="v",…}` with labels sorted, so two scrapes
 * (or a scrape and an expectation) compare with one `toEqual`.
 */
export function seriesOf(samples: ScrapedSample[], names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (names.includes(s.name)) out[seriesKey(s.name, s.labels)] = s.value;
  return out;
}

export function seriesKey(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return `${name}{${body}}`;
}
