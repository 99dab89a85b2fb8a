import { clients, pages, probe, providers, random, type SimClient, type SimProvider } from './world';

/** What the simulator needs from the ingest gateway (GET/POST JSON over HTTP). */
export interface TrafficOptions {
  ingestUrl: string;
  key: string;
  domain: string;
  seed: number;
  fetch?: typeof fetch;
}

export interface TrafficCounters {
  pageLoads: number;
  beacons: number;
  measurements: number;
  decisions: number;
  failures: number;
  lastFailure: string | null;
}

interface Plan {
  token: string;
  probes: { provider: string; type: 'rtt' | 'availability' | 'throughput'; url: string }[];
}

/**
 * One simulated page load, as the browser script would do it: a pageview and
 * web vitals through `POST /api/v1/beacon`, then the RUM session plan from
 * `GET /api/v1/session/init` and its probe results through
 * `POST /api/v1/measurements`. The client's address travels in
 * X-Forwarded-For (the gateway trusts it from loopback in `npm start`).
 */
export class Traffic {
  readonly counters: TrafficCounters = { pageLoads: 0, beacons: 0, measurements: 0, decisions: 0, failures: 0, lastFailure: null };
  private readonly rnd: () => number;
  private readonly http: typeof fetch;
  /** Once set, every page load also asks the HTTP decision gateway which provider to use. */
  decide: { url: string; appId: string } | null = null;

  constructor(private readonly options: TrafficOptions) {
    this.rnd = random(options.seed);
    this.http = options.fetch ?? fetch;
  }

  private headers(client: SimClient): Record<string, string> {
    return { 'content-type': 'application/json', 'x-forwarded-for': client.ip, 'user-agent': client.userAgent, 'x-vane-key': this.options.key };
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    const response = await this.http(`${this.options.ingestUrl}${path}`, init);
    if (!response.ok) {
      const body = await response.text();
      throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${body.slice(0, 200)}`);
    }
    return response;
  }

  async pageLoad(): Promise<void> {
    const client = clients[Math.floor(this.rnd() * clients.length)]!;
    const url = `https://${this.options.domain}${pages[Math.floor(this.rnd() * pages.length)]}`;
    try {
      await this.call('/api/v1/beacon', {
        method: 'POST',
        headers: this.headers(client),
        body: JSON.stringify({
          events: [
            { type: 'pageview', url, referrer: this.rnd() < 0.3 ? 'https://search.example/' : undefined },
            {
              type: 'vital',
              url,
              vitals: [
                { name: 'LCP', value: Math.round(800 + 2000 * this.rnd()) },
                { name: 'CLS', value: Math.round(this.rnd() * 250) / 1000 },
                { name: 'TTFB', value: Math.round(50 + 400 * this.rnd()) },
              ],
            },
          ],
        }),
      });
      this.counters.beacons += 2;
      const plan = (await (await this.call('/api/v1/session/init', { headers: this.headers(client) })).json()) as Plan;
      const measurements = plan.probes
        .filter((p) => (providers as readonly string[]).includes(p.provider))
        .map((p) => ({ provider: p.provider, probeType: p.type, value: probe(p.provider as SimProvider, p.type, client, this.rnd), url: p.url }));
      if (measurements.length > 0) {
        await this.call('/api/v1/measurements', { method: 'POST', headers: this.headers(client), body: JSON.stringify({ token: plan.token, measurements }) });
        this.counters.measurements += measurements.length;
      }
      if (this.decide) {
        const answer = await this.http(`${this.decide.url}/v1/decide/${this.decide.appId}?ip=${client.ip}&path=/video/1.mp4`);
        if (!answer.ok) throw new Error(`GET /v1/decide answered ${answer.status}: ${(await answer.text()).slice(0, 200)}`);
        await answer.arrayBuffer();
        this.counters.decisions++;
      }
      this.counters.pageLoads++;
    } catch (error) {
      this.counters.failures++;
      this.counters.lastFailure = (error as Error).message;
    }
  }
}
