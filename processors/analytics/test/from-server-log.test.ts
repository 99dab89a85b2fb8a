import { fromServerLog, isCrawlerPath, isStaticAsset, type Conversion, type Drop, type UnifiedEvent } from '../src';
import { CHROME, logLine, origin, site, T0 } from './fixtures';

const o = origin(9, 'ingest.serverlogs.v1', 3);

function accepted(c: Conversion<UnifiedEvent>): UnifiedEvent {
  if (!c.ok) throw new Error(`dropped: ${c.drop.reason} ${c.drop.detail}`);
  return c.event;
}
function dropped(c: Conversion<UnifiedEvent>): Drop {
  if (c.ok) throw new Error('accepted');
  return c.drop;
}

describe('server-log line → unified event', () => {
  it('turns a GET 200 page into the same pageview shape as a beacon, source marked', () => {
    const e = accepted(fromServerLog(logLine(), o, site));
    expect(e).toMatchObject({
      source: 'serverlog',
      kind: 'pageview',
      timestamp: T0,
      receivedAt: T0 + 3_600_000,
      hostname: 'example.com',
      path: '/docs/start',
      query: 'ref=hn',
      referrer: 'news.ycombinator.com/item',
      referrerSource: 'hn',
      browser: 'Chrome',
      device: 'Desktop',
      country: 'FR',
      vitals: [],
      origin: { topic: 'ingest.serverlogs.v1', partition: 3, offset: '9' },
    });
    expect(JSON.stringify(e)).not.toContain('s3cret');
  });

  it('counts a revalidated cached page (304) as a view', () => {
    expect(accepted(fromServerLog(logLine({ status: 304 }), o, site)).kind).toBe('pageview');
  });

  it.each([
    ['non_page_method', { method: 'POST' }, 'method POST'],
    ['non_page_method', { method: 'HEAD' }, 'method HEAD'],
    ['non_2xx_status', { status: 404 }, 'status 404'],
    ['non_2xx_status', { status: 301 }, 'status 301'],
    ['non_2xx_status', { status: 502 }, 'status 502'],
    ['static_asset', { path: '/assets/app.3f2a.js' }, '.js'],
    ['static_asset', { path: '/img/Logo.PNG' }, '.png'],
    ['crawler_path', { path: '/robots.txt' }, '/robots.txt'],
    ['crawler_path', { path: '/sitemap-posts.xml' }, '/sitemap-posts.xml'],
    ['crawler_path', { path: '/.well-known/security.txt' }, '/.well-known/security.txt'],
    ['bot_user_agent', { userAgent: { raw: 'curl/8.5.0', family: 'curl', os: null, deviceClass: 'bot' } }, 'curl'],
    ['bot_user_agent', { userAgent: { raw: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', family: null, os: null, deviceClass: 'bot' } }, 'bingbot'],
    ['bot_no_user_agent', { userAgent: null }, 'no User-Agent'],
    ['spam_referrer', { referrer: 'http://darodar.com/' }, 'darodar.com'],
    ['time_out_of_range', { time: T0 + 3_600_000 + 120_000 }, 'after the upload'],
    ['time_out_of_range', { time: T0 - 40 * 86_400_000 }, 'older than 31 days'],
    ['invalid', { visitorId: '' }, 'visitorId'],
    ['invalid', { time: 0 }, 'before 2000'],
  ] as const)('drops %s (%j)', (reason, over, detail) => {
    const d = dropped(fromServerLog(logLine(over), o, site));
    expect(d.reason).toBe(reason);
    expect(d.detail.toLowerCase()).toContain(detail.toLowerCase());
    expect(d).toMatchObject({ source: 'serverlog', siteId: 'site-1', origin: o });
  });

  it('counts a drop at the line time, or at receipt when the time is unusable', () => {
    expect(dropped(fromServerLog(logLine({ status: 500 }), o, site)).timestamp).toBe(T0);
    expect(dropped(fromServerLog(logLine({ time: 0 }), o, site)).timestamp).toBe(T0 + 3_600_000);
  });

  it('does not call a line without agent a bot when its format has no agent field', () => {
    expect(accepted(fromServerLog(logLine({ format: 'apache_common', userAgent: null, referrer: null }), o, site)).browser).toBeNull();
  });

  it('drops lines of unknown sites', () => {
    expect(dropped(fromServerLog(logLine(), o, undefined)).reason).toBe('unknown_site');
  });

  it('classifies paths', () => {
    expect(isStaticAsset('/a/b.css')).toBe(true);
    expect(isStaticAsset('/blog/v1.2')).toBe(false);
    expect(isStaticAsset('/.env')).toBe(false);
    expect(isStaticAsset('/download.')).toBe(false);
    expect(isCrawlerPath('/ROBOTS.TXT')).toBe(true);
    expect(isCrawlerPath('/robots')).toBe(false);
    expect(accepted(fromServerLog(logLine({ path: '/pricing', userAgent: { raw: CHROME, family: 'Chrome', os: 'Linux', deviceClass: 'desktop' } }), o, site)).path).toBe('/pricing');
  });
});
