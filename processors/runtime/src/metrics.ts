import { createServer, type Server } from 'node:http';

/** Counters a processor exposes (Prometheus text on /metrics when a port is configured). */
export class RuntimeMetrics {
  consumed = 0;
  produced = 0;
  deadLettered = 0;
  scyllaRows = 0;
  clickhouseRows = 0;
  batches = 0;
  retries = 0;
  /** Epoch ms when the first batch arrived (0 until then). */
  firstBatchAt = 0;
  /** Lag per `topic/partition`: high watermark − next offset to process. */
  readonly lag = new Map<string, number>();

  totalLag(): number {
    let sum = 0;
    for (const v of this.lag.values()) sum += v;
    return sum;
  }

  snapshot(): Record<string, number> {
    return {
      consumed: this.consumed,
      produced: this.produced,
      deadLettered: this.deadLettered,
      scyllaRows: this.scyllaRows,
      clickhouseRows: this.clickhouseRows,
      batches: this.batches,
      retries: this.retries,
      lag: this.totalLag(),
    };
  }

  prometheus(processor: string): string {
    const label = `processor="${processor}"`;
    const lines = [
      '# TYPE vane_records_consumed_total counter',
      `vane_records_consumed_total{${label}} ${this.consumed}`,
      '# TYPE vane_records_produced_total counter',
      `vane_records_produced_total{${label}} ${this.produced}`,
      '# TYPE vane_records_deadlettered_total counter',
      `vane_records_deadlettered_total{${label}} ${this.deadLettered}`,
      '# TYPE vane_scylla_rows_total counter',
      `vane_scylla_rows_total{${label}} ${this.scyllaRows}`,
      '# TYPE vane_clickhouse_rows_total counter',
      `vane_clickhouse_rows_total{${label}} ${this.clickhouseRows}`,
      '# TYPE vane_batch_retries_total counter',
      `vane_batch_retries_total{${label}} ${this.retries}`,
      '# TYPE vane_consumer_lag gauge',
    ];
    for (const [tp, lag] of this.lag) {
      const [topic, partition] = [tp.slice(0, tp.lastIndexOf('/')), tp.slice(tp.lastIndexOf('/') + 1)];
      lines.push(`vane_consumer_lag{${label},topic="${topic}",partition="${partition}"} ${lag}`);
    }
    return `${lines.join('\n')}\n`;
  }

  serve(processor: string, port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(this.prometheus(processor));
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', ...this.snapshot() }));
      } else {
        res.writeHead(404).end();
      }
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
