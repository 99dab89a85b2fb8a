import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConfigState } from '@vane/config-model';
import type { DailyUsage } from './daily-usage';
import type { RecordSink } from './durable-sink';

/**
 * The gateway's Prometheus metrics (GET /metrics), one registry per app:
 *   vane_ingest_requests_total{route,status}          answered requests
 *   vane_ingest_request_duration_seconds{route}       latency histogram
 *   vane_ingest_records_total{topic,delivery}         records accepted, delivery = kafka | spool
 *   vane_ingest_rejections_total{code}                requests refused, by reason code
 *   vane_ingest_log_lines_rejected_total{reason}      access-log lines rejected, by reason code
 *   vane_ingest_key_requests{site,key,day}            daily usage per key (key = its first 8 characters)
 *   vane_ingest_sink_spooling                         1 while records go to the spool instead of Kafka
 *   vane_ingest_spool_bytes / vane_ingest_spool_max_bytes
 *   vane_ingest_sink_records{outcome}                 sent_direct, spooled, drained, refused_full (since start)
 *   vane_ingest_config_entities{type}                 sites, keys, providers held
 */
export class IngestMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'vane_ingest_requests_total', help: 'Answered requests', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'vane_ingest_request_duration_seconds',
    help: 'Time to answer',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly records = new Counter({ name: 'vane_ingest_records_total', help: 'Records accepted', labelNames: ['topic', 'delivery'], registers: [this.registry] });
  readonly rejections = new Counter({ name: 'vane_ingest_rejections_total', help: 'Requests refused, by reason code', labelNames: ['code'], registers: [this.registry] });
  readonly logLinesRejected = new Counter({ name: 'vane_ingest_log_lines_rejected_total', help: 'Access-log lines rejected', labelNames: ['reason'], registers: [this.registry] });

  constructor(sources: { sink: RecordSink; usage: DailyUsage; config: () => ConfigState }) {
    const { sink, usage, config } = sources;
    new Gauge({
      name: 'vane_ingest_key_requests',
      help: 'Requests per key per UTC day (today and yesterday)',
      labelNames: ['site', 'key', 'day'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const row of usage.snapshot()) this.set({ site: row.siteId, key: row.keyPrefix, day: row.day }, row.requests);
      },
    });
    new Gauge({
      name: 'vane_ingest_sink_spooling',
      help: '1 while accepted records go to the local spool instead of Kafka',
      registers: [this.registry],
      collect() {
        this.set(sink.stats().mode === 'spool' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vane_ingest_spool_bytes',
      help: 'Bytes waiting in the spool',
      registers: [this.registry],
      collect() {
        this.set(sink.stats().spoolBytes);
      },
    });
    new Gauge({
      name: 'vane_ingest_spool_max_bytes',
      help: 'Spool capacity',
      registers: [this.registry],
      collect() {
        this.set(sink.stats().spoolMaxBytes);
      },
    });
    new Gauge({
      name: 'vane_ingest_sink_records',
      help: 'Records through the sink since start, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        const s = sink.stats();
        this.set({ outcome: 'sent_direct' }, s.sentDirect);
        this.set({ outcome: 'spooled' }, s.spooled);
        this.set({ outcome: 'drained' }, s.drained);
        this.set({ outcome: 'refused_full' }, s.refusedFull);
      },
    });
    new Gauge({
      name: 'vane_ingest_config_entities',
      help: 'Configuration entities held, by type',
      labelNames: ['type'],
      registers: [this.registry],
      collect() {
        const counts = config().counts();
        for (const [type, n] of Object.entries(counts)) this.set({ type }, n);
      },
    });
  }
}
