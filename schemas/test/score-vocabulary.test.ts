import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isTrusted,
  levelOf,
  locationKeyOf,
  locationKeysOf,
  locationLevels,
  locationsOf,
  scoreKey,
  scoreViewNames,
  scoreViewOf,
  type Score,
} from '../src';

describe('location levels', () => {
  it('lists the levels a network counts towards, most specific first', () => {
    expect(locationsOf({ country: 'DE', continent: 'EU', asn: 3320 }).map((l) => l.key)).toEqual(['asn:DE:3320', 'country:DE', 'continent:EU', 'global']);
    expect(locationsOf({ country: 'DE', continent: 'EU', asn: null }).map((l) => l.level)).toEqual(['country', 'continent', 'global']);
    // An ASN needs a country to be placed.
    expect(locationsOf({ country: null, continent: 'EU', asn: 3320 }).map((l) => l.key)).toEqual(['continent:EU', 'global']);
    expect(locationsOf({ country: null, continent: null, asn: null }).map((l) => l.key)).toEqual(['global']);
  });
});

describe('score vocabulary', () => {
  const score: Score = { provider: 'cdn-a', locationKey: 'asn:DE:3320', level: 'asn', rttP50: 20, rttP90: 40, availability: 0.99, throughputP50: null, samples: 12, confidence: 0.4, windowStart: 0, windowEnd: 60_000, computedAt: 30_000, modelVersion: 'v1', sourceOffsets: null };

  it('names only fields of the scores.v1 schema, and every level the schema documents', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', 'avro', 'scores.v1.avsc'), 'utf8')) as { fields: { name: string; doc: string }[] };
    const fields = schema.fields.map((f) => f.name);
    for (const name of scoreViewNames) expect(fields).toContain(name);
    const levelDoc = schema.fields.find((f) => f.name === 'level')!.doc;
    for (const level of locationLevels) expect(levelDoc).toContain(`"${level}"`);
  });

  it('keys a score by provider and location key, and reads the level back from the key', () => {
    expect(scoreKey('cdn-a', 'country:DE')).toBe('cdn-a|country:DE');
    expect(locationKeyOf({ country: 'DE', continent: 'EU', asn: 3320 })).toBe('asn:DE:3320');
    expect(locationKeyOf({ country: null, continent: null, asn: null })).toBe('global');
    expect(locationKeysOf({ country: 'FR', continent: 'EU' })).toEqual(['country:FR', 'continent:EU', 'global']);
    expect(locationsOf({ country: 'DE', asn: 3320 }).map((l) => levelOf(l.key))).toEqual(['asn', 'country', 'global']);
  });

  it('keeps the fields a reader sees, and filters by trust', () => {
    expect(scoreViewOf(score)).toEqual({ level: 'asn', locationKey: 'asn:DE:3320', rttP50: 20, rttP90: 40, availability: 0.99, throughputP50: null, samples: 12, confidence: 0.4, computedAt: 30_000 });
    expect(isTrusted(score)).toBe(true);
    expect(isTrusted(score, { minConfidence: 0.5 })).toBe(false);
    expect(isTrusted(score, { minSamples: 13 })).toBe(false);
    expect(isTrusted({ ...score, samples: 0 })).toBe(false);
  });
});
