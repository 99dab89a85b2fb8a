import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as avro from 'avsc';
import {
  type AvroNamedSchema,
  type AvroSchema,
  type TopicName,
  avroDir,
  isRecordSchema,
  isUnion,
  schemaFiles,
  schemaPath,
  topicNames,
  valueSubject,
} from '../src/catalog';
import { generateTypes, generatedTypesPath } from '../src/generate-types';
import type { Network, TopicValue } from '../src/types.generated';

// Compile-time: the generated TopicValue covers exactly the catalogue's topics.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const topicsMatch: Equal<keyof TopicValue, TopicName> = true;

const at = Date.UTC(2025, 0, 15, 12, 30, 0);

const berlin: Network = {
  truncatedIp: '203.0.113.0/24',
  country: 'DE',
  continent: 'EU',
  region: 'DE-BE',
  asn: 3320,
  asnOrg: 'Deutsche Telekom AG',
};

const unknownV6: Network = {
  truncatedIp: '2001:db8:85a3::/48',
  country: null,
  continent: null,
  region: null,
  asn: 4_200_000_001,
  asnOrg: null,
};

const partialWindows: TopicValue['scorer.partials.v1'] = {
  provider: 'cdn-a',
  locationKey: 'country:DE',
  level: 'country',
  sourcePartition: 3,
  nextOffset: 878,
  watermark: at,
  lateDropped: 2,
  buckets: [
    { start: at - 60_000, rtt: { offset: 120, counts: [3, 0, 1], zeroCount: 0 }, throughput: { offset: 0, counts: [], zeroCount: 0 }, availabilityUp: 9, availabilityTotal: 10 },
  ],
};

/** One valid value per topic, typed with the generated types so that tsc catches drift. */
const samples: { readonly [T in TopicName]: TopicValue[T] } = {
  'config.changes.v1': {
    entityId: 'app:7f3c',
    entityType: 'app',
    tenantId: 'tenant-1',
    version: 3,
    op: 'upsert',
    at,
    actor: 'user:42',
    payload: '{"name":"cdn-picker","providers":["cdn-a","cdn-b"]}',
    checksum: 'a'.repeat(64),
  },
  'deadletter.v1': {
    sourceTopic: 'ingest.beacons.v1',
    partition: 3,
    offset: 4_503_599_627_370_496, // 2^52, the largest long avsc accepts as a number
    sourceTimestamp: at,
    key: Buffer.from('site-1'),
    value: Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]),
    headers: { 'content-type': 'avro' },
    reasonCode: 'VANE_ERR_UNKNOWN_SCHEMA',
    message: 'schema id 7 is not registered',
    processor: 'beacon-processor',
    at,
  },
  'decisions.dns.v1': {
    decisionId: '9b2e4f0c-6d1a-4c52-9a61-3f8e2d7c1b40',
    at,
    appId: 'app:7f3c',
    appVersion: 3,
    tenantId: 'tenant-1',
    qname: 'www.example.com',
    qtype: 'A',
    client: berlin,
    ecsSubnet: '203.0.113.0/24',
    resolver: { ...berlin, truncatedIp: '198.51.100.0/24' },
    scoresSeen: [
      { provider: 'cdn-a', level: 'asn', rttP50: 21.5, availability: 0.998 },
      { provider: 'cdn-b', level: 'country', rttP50: null, availability: 0.97 },
    ],
    answerProvider: 'cdn-a',
    answerTarget: 'cdn-a.example.net',
    ttl: 20,
    reasonCode: 'best_rtt',
    fallback: false,
    durationMicros: 412,
  },
  'decisions.http.v1': {
    decisionId: '0d6c1f5e-2b7a-4e8f-8c3d-5a9b1e2f4c60',
    at,
    appId: 'app:7f3c',
    appVersion: 3,
    tenantId: 'tenant-1',
    hostname: 'video.example.com',
    path: '/video/1.mp4',
    client: unknownV6,
    scoresSeen: [],
    answerProvider: null,
    answerTarget: null,
    ttl: 0,
    reasonCode: 'app_timeout',
    fallback: true,
    redirect: false,
    durationMicros: 50_001,
  },
  'ingest.beacons.v1': {
    eventId: '3f2b8c1d-4e5a-4b6c-9d7e-8f9a0b1c2d3e',
    siteId: 'site-1',
    receivedAt: at,
    eventTime: at - 250,
    type: 'vital',
    url: 'https://www.example.com/pricing?plan=pro',
    path: '/pricing',
    hostname: 'www.example.com',
    referrer: 'https://search.example.org/',
    title: 'Pricing',
    eventName: null,
    eventProps: {},
    vitals: [
      { name: 'LCP', value: 1830.5 },
      { name: 'CLS', value: 0.04 },
    ],
    visitorId: 'c0ffee'.repeat(10) + 'beef',
    previousVisitorId: null,
    sessionHint: null,
    userAgent: { raw: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', family: 'Firefox', os: 'Linux', deviceClass: 'desktop' },
    network: berlin,
    screenWidth: 1920,
    language: 'de-DE',
  },
  'ingest.downloads.v1': {
    eventId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
    receivedAt: at,
    eventTime: at,
    type: 'download',
    product: 'firefox',
    version: '128.0.3',
    siteId: 'site-downloads',
    network: berlin,
  },
  'ingest.geosubmit.v1': {
    observationId: '7c6b5a49-3827-4165-9f8e-7d6c5b4a3928',
    receivedAt: at,
    eventTime: at - 5_000,
    apiKeyId: 'key-17',
    position: {
      latitude: 52.52,
      longitude: 13.405,
      accuracy: 12.5,
      altitude: 34,
      source: 'gps',
      age: 1_500,
      speed: 1.2,
      heading: 270,
    },
    wifi: [{ mac: '01:23:45:67:89:ab', ssid: 'cafe', signal: -61, channel: 11, age: 2_000 }],
    cells: [{ radio: 'lte', mcc: 262, mnc: 1, lac: 12_345, cid: 268_435_455, signal: -95 }],
    bluetooth: [{ mac: 'a1:b2:c3:d4:e5:f6', signal: null }],
  },
  'ingest.measurements.v1': {
    measurementId: '1e2d3c4b-5a69-4788-9a6b-5c4d3e2f1a0b',
    receivedAt: at,
    eventTime: at - 40,
    sessionId: 's-1',
    siteId: 'site-1',
    provider: 'cdn-a',
    probeType: 'rtt',
    value: 23.7,
    timings: { dnsMs: 3.1, connectMs: 8.4, tlsMs: null, ttfbMs: 12.2, downloadMs: 0.4 },
    url: 'https://cdn-a.example.net/r20.gif',
    client: berlin,
    resolver: null,
    source: 'rum',
  },
  'ingest.serverlogs.v1': {
    eventId: '2a3b4c5d-6e7f-4081-9223-a4b5c6d7e8f9',
    siteId: 'site-1',
    receivedAt: at,
    uploadId: 'upload-2025-01-15-a',
    lineNumber: 1_042,
    format: 'nginx_combined',
    time: at - 60_000,
    method: 'GET',
    path: '/docs/install',
    query: 'lang=de',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 48_213,
    referrer: null,
    userAgent: null,
    network: unknownV6,
    visitorId: 'feed'.repeat(16),
    previousVisitorId: 'beef'.repeat(16),
  },
  'locate.queries.v1': {
    queryId: '8d7c6b5a-4938-4271-8a6b-5c4d3e2f1a09',
    at,
    apiKeyId: 'key-17',
    kind: 'locate',
    considerIp: true,
    wifiCount: 3,
    cellCount: 0,
    bluetoothCount: 0,
    wifi: [
      { mac: '01:23:45:67:89:ab', ssid: null, signal: -70, channel: null, age: null },
      { mac: '01:23:45:67:89:ac', ssid: 'home', signal: null, channel: 6, age: 0 },
    ],
    cells: [],
    bluetooth: [],
    answer: { latitude: 52.5, longitude: 13.4, accuracy: 150 },
    source: 'internal',
    region: 'DE',
  },
  'models.sites.v1': {
    siteId: 'site-1',
    windowStart: Date.UTC(2025, 0, 15, 12, 30),
    pageviews: 120,
    visitors: 87,
    sessions: 40,
    bounces: 12,
    vitalsP75: { lcp: 2100, inp: 180, cls: 0.05, fcp: null, ttfb: 310 },
    topPaths: [
      { path: '/', count: 60 },
      { path: '/pricing', count: 25 },
    ],
    modelVersion: 'v1',
  },
  'scores.v1': {
    provider: 'cdn-a',
    locationKey: 'asn:DE:3320',
    level: 'asn',
    rttP50: 21.5,
    rttP90: 48,
    availability: 0.998,
    throughputP50: null,
    samples: 1_234,
    confidence: 0.9,
    windowStart: at - 300_000,
    windowEnd: at,
    computedAt: at,
    modelVersion: 'v1',
    sourceOffsets: '{"0":1200,"3":877}',
  },
  'scorer.partials.v1': partialWindows,
  'scorer.windows-changelog.v1': { watermark: at, windows: partialWindows },
  'scorer.merge-changelog.v1': {
    partial: null,
    emission: { sources: [0, 3], seq: 4, storeVersion: at * 1000, pending: false, rttP50: 21.5, rttP90: 48, availability: null, throughputP50: null, computedAt: at },
  },
};

/** Every named type (record, enum, fixed) declared in a schema, with the path that leads to it. */
function namedTypes(schema: AvroSchema, where: string): Array<{ where: string; schema: AvroNamedSchema }> {
  if (typeof schema === 'string') return [];
  if (isUnion(schema)) return schema.flatMap((branch, i) => namedTypes(branch, `${where}[${i}]`));
  switch (schema.type) {
    case 'record':
      return [
        { where, schema },
        ...schema.fields.flatMap((field) => namedTypes(field.type, `${where}.${field.name}`)),
      ];
    case 'enum':
    case 'fixed':
      return [{ where, schema }];
    case 'array':
      return namedTypes(schema.items, `${where}[]`);
    case 'map':
      return namedTypes(schema.values, `${where}{}`);
    default:
      return [];
  }
}

function records(topic: TopicName) {
  return namedTypes(schemaFiles[topic], topic).flatMap(({ where, schema }) => (isRecordSchema(schema) ? [{ where, schema }] : []));
}

describe('topic catalogue', () => {
  it('has exactly one .avsc file per topic, and no other', () => {
    const files = fs.readdirSync(avroDir).sort();
    expect(files).toEqual(topicNames.map((t) => `${t}.avsc`).sort());
    for (const topic of topicNames) expect(fs.existsSync(schemaPath(topic))).toBe(true);
    expect(topicsMatch).toBe(true);
  });

  it('names value subjects after the topic (TopicNameStrategy)', () => {
    expect(valueSubject('scores.v1')).toBe('scores.v1-value');
    expect(valueSubject('test-1234.ingest.beacons.v1')).toBe('test-1234.ingest.beacons.v1-value');
  });

  it.each(topicNames)('%s: value is a record in namespace vane.<domain>', (topic) => {
    const schema = schemaFiles[topic];
    expect(schema.type).toBe('record');
    expect(schema.namespace).toBe(`vane.${topic.split('.')[0]}`);
  });

  it.each(topicNames)('%s: parses with avsc', (topic) => {
    const type = avro.Type.forSchema(schemaFiles[topic]);
    expect(type.typeName).toBe('record');
  });

  it.each(topicNames)('%s: every named type and every field has a doc', (topic) => {
    const missing: string[] = [];
    for (const { where, schema } of namedTypes(schemaFiles[topic], topic)) {
      if (!schema.doc?.trim()) missing.push(`${where} (${schema.name})`);
      if (isRecordSchema(schema)) {
        for (const field of schema.fields) if (!field.doc?.trim()) missing.push(`${where}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(topicNames)('%s: optional fields are ["null", T] defaulting to null', (topic) => {
    const wrong: string[] = [];
    for (const { where, schema } of records(topic)) {
      for (const field of schema.fields) {
        const type = field.type;
        if (isUnion(type) && type.includes('null') && (type[0] !== 'null' || type.length !== 2 || field.default !== null)) {
          wrong.push(`${where}.${field.name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(topicNames)('%s: times are longs with logicalType timestamp-millis', (topic) => {
    const timeName = /(At|Time|^time|^windowStart|^windowEnd|Timestamp)$/;
    const isMillis = (t: AvroSchema): boolean =>
      typeof t === 'object' && !isUnion(t) && t.type === 'long' && 'logicalType' in t && t.logicalType === 'timestamp-millis';
    const wrong: string[] = [];
    for (const { where, schema } of records(topic)) {
      for (const field of schema.fields) {
        if (!timeName.test(field.name)) continue;
        const t = field.type;
        if (!(isMillis(t) || (isUnion(t) && t.length === 2 && t[0] === 'null' && isMillis(t[1] ?? 'null')))) {
          wrong.push(`${where}.${field.name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('defines a named type shared by several topics identically in each (same full name, same JSON)', () => {
    const byFullName = new Map<string, { topic: TopicName; json: string }>();
    const differing: string[] = [];
    for (const topic of topicNames) {
      const root = schemaFiles[topic];
      for (const { schema } of namedTypes(root, topic)) {
        if (schema === root) continue;
        // Nested named types in these files carry their namespace or inherit the root's.
        const fullName = `${schema.namespace ?? root.namespace}.${schema.name}`;
        const json = JSON.stringify(schema);
        const seen = byFullName.get(fullName);
        if (seen === undefined) byFullName.set(fullName, { topic, json });
        else if (seen.json !== json) differing.push(`${fullName}: ${seen.topic} vs ${topic}`);
      }
    }
    expect(differing).toEqual([]);
    expect(byFullName.has('vane.common.Network')).toBe(true);
  });

  it.each(topicNames)('%s: a sample value round-trips through avsc', (topic) => {
    const type = avro.Type.forSchema(schemaFiles[topic]);
    const sample = samples[topic];
    const invalid: string[] = [];
    type.isValid(sample, { errorHook: (p: string[]) => invalid.push(p.join('.')) });
    expect(invalid).toEqual([]);
    expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
  });
});

describe('generated types', () => {
  it('are in step with the schemas (run `npm run generate -w @vane/schemas` after changing a schema)', () => {
    expect(fs.readFileSync(generatedTypesPath, 'utf8')).toBe(generateTypes());
  });

  it('refuse a shared record defined differently in two files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vane-schemas-'));
    try {
      const network = (doc: string) => ({
        name: 'client',
        doc: 'Client.',
        type: { type: 'record', name: 'Network', namespace: 'vane.common', doc, fields: [{ name: 'truncatedIp', type: 'string', doc: 'Address.' }] },
      });
      for (const [topic, doc] of [['a.one.v1', 'One.'], ['b.two.v1', 'Two.']] as const) {
        const schema = { type: 'record', name: topic.split('.')[1], namespace: 'vane.test', doc: 'Test.', fields: [network(doc)] };
        fs.writeFileSync(path.join(dir, `${topic}.avsc`), JSON.stringify(schema));
      }
      expect(() => generateTypes(dir)).toThrow(/vane\.common\.Network differs from its definition in a\.one\.v1\.avsc/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
