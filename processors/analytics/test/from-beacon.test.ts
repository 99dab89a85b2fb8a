import type { Beacon } from '@vane/schemas';
import { fromBeacon, isDeadLetterReason, siteRules, type Conversion, type Drop, type UnifiedEvent } from '../src';
import { beacon, CHROME, MIN, origin, site, T0 } from './fixtures';

function accepted(c: Conversion<UnifiedEvent>): UnifiedEvent {
  if (!c.ok) throw new Error(`dropped: ${c.drop.reason} ${c.drop.detail}`);
  return c.event;
}

function dropped(c: Conversion<UnifiedEvent>): Drop {
  if (c.ok) throw new Error('accepted');
  return c.drop;
}

describe('beacon → unified event', () => {
  it('maps a pageview with allow-listed query, cleaned referrer, source and device', () => {
    const e = accepted(fromBeacon(beacon(), origin(42), site));
    expect(e).toMatchObject({
      source: 'browser',
      kind: 'pageview',
      siteId: 'site-1',
      timestamp: T0,
      path: '/pricing',
      hostname: 'www.example.com',
      query: 'utm_source=news',
      referrer: 'google.com/search',
      referrerSource: 'news',
      utm: { source: 'news', medium: null },
      browser: 'Chrome',
      os: 'Linux',
      device: 'Desktop',
      country: 'DE',
      region: 'DE-BE',
      origin: { topic: 'ingest.beacons.v1', partition: 0, offset: '42' },
    });
    expect(JSON.stringify(e)).not.toContain('a%40b.c');
    expect(JSON.stringify(e)).not.toContain('secret');
  });

  it('takes the referrer host as source when no campaign tag is present, and drops internal referrers', () => {
    const e = accepted(fromBeacon(beacon({ url: 'https://example.com/', referrer: 'https://www.bing.com/' }), origin(), site));
    expect(e.referrerSource).toBe('bing.com');
    expect(e.referrer).toBe('bing.com');
    const internal = accepted(fromBeacon(beacon({ url: 'https://example.com/b', referrer: 'https://blog.example.com/a' }), origin(), site));
    expect(internal.referrer).toBeNull();
    expect(internal.referrerSource).toBeNull();
  });

  it('keeps the client event time within the allowed skew, else uses receivedAt', () => {
    expect(accepted(fromBeacon(beacon({ eventTime: T0 - 5 * MIN }), origin(), site)).timestamp).toBe(T0 - 5 * MIN);
    expect(accepted(fromBeacon(beacon({ eventTime: T0 + 2 * MIN }), origin(), site)).timestamp).toBe(T0);
    expect(accepted(fromBeacon(beacon({ eventTime: T0 - 25 * 3_600_000 }), origin(), site)).timestamp).toBe(T0);
  });

  it('keeps custom event names and props, and valid vitals only', () => {
    const e = accepted(fromBeacon(beacon({ type: 'event', eventName: 'signup', eventProps: { plan: 'pro' } }), origin(), site));
    expect(e).toMatchObject({ kind: 'event', eventName: 'signup', eventProps: { plan: 'pro' } });
    const v = accepted(fromBeacon(beacon({ type: 'vital', vitals: [{ name: 'LCP', value: 1200 }, { name: 'FID', value: 3 }, { name: 'CLS', value: -1 }, { name: 'CLS', value: 0.05 }] }), origin(), site));
    expect(v.vitals).toEqual([{ name: 'LCP', value: 1200 }, { name: 'CLS', value: 0.05 }]);
  });

  it.each([
    ['eventId is empty', { eventId: '' }],
    ['visitorId is empty', { visitorId: '' }],
    ['does not start with', { path: 'pricing' }],
    ['before 2000-01-01', { receivedAt: 5 }],
    ['needs eventName', { type: 'event', eventName: null }],
    ['at least one known', { type: 'vital', vitals: [{ name: 'FID', value: 1 }] }],
  ] as const)('drops an invalid record (%s) and marks it for the dead-letter ledger', (detail, over) => {
    const d = dropped(fromBeacon(beacon(over as Partial<Beacon>), origin(7), site));
    expect(d.reason).toBe('invalid');
    expect(d.detail).toContain(detail);
    expect(d.origin.offset).toBe('7');
    expect(isDeadLetterReason(d.reason)).toBe(true);
  });

  it('drops unknown sites, unknown types and foreign hostnames by name', () => {
    expect(dropped(fromBeacon(beacon(), origin(), undefined)).reason).toBe('unknown_site');
    expect(dropped(fromBeacon(beacon({ siteId: 'other' }), origin(), site)).reason).toBe('unknown_site');
    expect(dropped(fromBeacon(beacon({ type: 'scroll' }), origin(), site))).toMatchObject({ reason: 'unknown_type', detail: expect.stringContaining('scroll') });
    expect(dropped(fromBeacon(beacon({ hostname: 'evil.com' }), origin(), site)).reason).toBe('hostname_not_allowed');
    expect(dropped(fromBeacon(beacon({ hostname: 'notexample.com' }), origin(), site)).reason).toBe('hostname_not_allowed');
    expect(accepted(fromBeacon(beacon({ hostname: 'localhost' }), origin(), site)).hostname).toBe('localhost');
  });

  describe('bot filtering', () => {
    it('drops isbot matches with the matched part as detail', () => {
      const d = dropped(fromBeacon(beacon({ userAgent: { raw: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', family: null, os: null, deviceClass: 'bot' } }), origin(), site));
      expect(d.reason).toBe('bot_user_agent');
      expect(d.detail.toLowerCase()).toContain('googlebot');
      const headless = dropped(fromBeacon(beacon({ userAgent: { raw: 'Mozilla/5.0 HeadlessChrome/120.0.0.0 Safari/537.36', family: 'Chrome Headless', os: 'Linux', deviceClass: 'desktop' } }), origin(), site));
      expect(headless.reason).toBe('bot_user_agent');
    });

    it('drops agents the gateway classed as bots, missing agents and datacenter networks', () => {
      expect(dropped(fromBeacon(beacon({ userAgent: { raw: null, family: null, os: null, deviceClass: 'bot' } }), origin(), site)).reason).toBe('bot_device_class');
      expect(dropped(fromBeacon(beacon({ userAgent: null }), origin(), site)).reason).toBe('bot_no_user_agent');
      const aws = dropped(fromBeacon(beacon({ network: { truncatedIp: '3.5.0.0/24', country: 'US', continent: 'NA', region: null, asn: 16509, asnOrg: 'AMAZON-02' } }), origin(), site));
      expect(aws).toMatchObject({ reason: 'bot_datacenter', detail: 'AS16509 (AMAZON-02) is a datacenter network' });
    });

    it('lets a real browser through and honours a site without the datacenter rule', () => {
      expect(accepted(fromBeacon(beacon({ userAgent: { raw: CHROME, family: 'Chrome', os: 'Linux', deviceClass: 'desktop' } }), origin(), site)).browser).toBe('Chrome');
      const open = siteRules({ siteId: 'site-1', domain: 'example.com', datacenterAsns: [] });
      expect(accepted(fromBeacon(beacon({ network: { truncatedIp: '3.5.0.0/24', country: 'US', continent: 'NA', region: null, asn: 16509, asnOrg: null } }), origin(), open)).country).toBe('US');
    });
  });

  it('drops spam referrers, subdomains included', () => {
    expect(dropped(fromBeacon(beacon({ referrer: 'http://semalt.com/' }), origin(), site)).reason).toBe('spam_referrer');
    expect(dropped(fromBeacon(beacon({ referrer: 'https://x.buttons-for-website.com/a' }), origin(), site)).reason).toBe('spam_referrer');
  });
});
