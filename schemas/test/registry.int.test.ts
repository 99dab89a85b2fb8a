import { connectionsFromEnv, VaneError } from '@vane/core';
import { randomBytes } from 'node:crypto';
import { SchemaCodec, avroType, backwardCompatible, schemaFiles, type Measurement } from '../src';
import { base, compatible, incompatible } from './probe-schemas';

describe('SchemaCodec against the local registry (Confluent API)', () => {
  const codec = new SchemaCodec(connectionsFromEnv(process.env).registryUrl);
  const subject = `t${randomBytes(4).toString('hex')}.probe-value`;

  it('registers, encodes in the Confluent wire format and decodes', async () => {
    const id = await codec.register(subject, base);
    expect(await codec.register(subject, base)).toBe(id);
    const buffer = await codec.encode(subject, { id: 'a', value: 1.5 });
    expect(buffer.readUInt8(0)).toBe(0);
    expect(buffer.readInt32BE(1)).toBe(id);
    expect(await codec.decode(buffer)).toEqual({ value: { id: 'a', value: 1.5 }, schemaId: id });
  });

  it('accepts a BACKWARD-compatible change and reads old records with the new schema', async () => {
    const oldRecord = await codec.encode(subject, { id: 'old', value: 2 });
    const check = await codec.checkCompatibility(subject, compatible);
    expect(check).toMatchObject({ subjectExists: true, compatible: true });
    const id2 = await codec.register(subject, compatible);
    expect(id2).not.toBe(oldRecord.readInt32BE(1));
    const decoded = await codec.decode(oldRecord, avroType(compatible));
    expect(decoded.value).toEqual({ id: 'old', value: 2, note: null });
  });

  it('refuses an incompatible change before it lands', async () => {
    expect((await codec.checkCompatibility(subject, incompatible)).compatible).toBe(false);
    const error = await codec.register(subject, incompatible).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaneError);
    expect((error as VaneError).code).toBe('VANE_ERR_SCHEMA_INCOMPATIBLE');
    expect(backwardCompatible(compatible, incompatible).compatible).toBe(false);
  });

  it('names the offending field when a record does not match', async () => {
    const error = (await codec.encode(subject, { id: 'x', value: 'fast' }).catch((e: unknown) => e)) as VaneError;
    expect(error.code).toBe('VANE_ERR_VALIDATION');
    expect(error.message).toContain('value');
  });

  it('refuses bytes that are not in the wire format with a decode error', async () => {
    const error = (await codec.decode(Buffer.from('{"json":true}')).catch((e: unknown) => e)) as VaneError;
    expect(error.code).toBe('VANE_ERR_DECODE');
    const unknown = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1]);
    expect(((await codec.decode(unknown).catch((e: unknown) => e)) as VaneError).code).toBe('VANE_ERR_UNKNOWN_SCHEMA');
  });

  it('round-trips a real catalogue schema', async () => {
    const measurementSubject = `t${randomBytes(4).toString('hex')}.ingest.measurements.v1-value`;
    await codec.register(measurementSubject, schemaFiles['ingest.measurements.v1']);
    const m: Measurement = {
      measurementId: '6f1c1d8e-8f5e-4a57-9d0c-1f1f0b6f7c11',
      receivedAt: 1_763_800_000_000,
      eventTime: 1_763_799_999_000,
      sessionId: null,
      siteId: 'site-1',
      provider: 'cdn-a',
      probeType: 'rtt',
      value: 42.5,
      timings: null,
      url: null,
      client: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: null, asn: 3320, asnOrg: null },
      resolver: null,
      source: 'rum',
    };
    const decoded = await codec.decode<Measurement>(await codec.encode(measurementSubject, m));
    expect(decoded.value).toEqual(m);
  });
});

