import { connectionsFromEnv, infraPathsFromEnv, portFromEnv, readEnv, VaneError } from '../src';

/** The VaneError a read throws (fails the test when it does not throw one). */
function refusal(read: () => unknown): VaneError {
  try {
    read();
  } catch (error) {
    if (error instanceof VaneError) return error;
    throw error;
  }
  throw new Error('expected a VaneError');
}

describe('the environment reader', () => {
  it('takes the default for unset and empty variables, undefined without one', () => {
    const read = readEnv({ EMPTY: '' });
    expect(read.int('UNSET', { default: 7 })).toBe(7);
    expect(read.int('EMPTY', { default: 7, min: 1 })).toBe(7);
    expect(read.int('UNSET')).toBeUndefined();
    expect(read.string('EMPTY')).toBeUndefined();
    expect(read.string('EMPTY', { default: 'x' })).toBe('x');
    expect(read.port('UNSET')).toBeUndefined();
    expect(read.bool('UNSET', { default: true })).toBe(true);
    expect(read.list('UNSET', { default: ['a'] })).toEqual(['a']);
    expect(read.number('UNSET', { default: 0.5 })).toBe(0.5);
  });

  it('reads integers, ports, numbers, booleans, lists and words', () => {
    const read = readEnv({ N: '20000', NEG: '-3', P: '8081', F: '0.05', E: '1e3', B1: 'true', B0: 'OFF', L: ' a, b ,,c ', W: 'warn' });
    expect(read.int('N', { min: 1 })).toBe(20000);
    expect(read.int('NEG')).toBe(-3);
    expect(read.port('P')).toBe(8081);
    expect(read.number('F', { min: 0 })).toBe(0.05);
    expect(read.number('E')).toBe(1000);
    expect(read.bool('B1')).toBe(true);
    expect(read.bool('B0')).toBe(false);
    expect(read.list('L')).toEqual(['a', 'b', 'c']);
    expect(read.oneOf('W', ['info', 'warn'] as const)).toBe('warn');
  });

  it.each([
    ['int', () => readEnv({ VANE_MAX_BATCH_RECORDS: 'abc' }).int('VANE_MAX_BATCH_RECORDS', { min: 1 }), 'VANE_MAX_BATCH_RECORDS=abc is not an integer ≥ 1'],
    ['int with a fraction', () => readEnv({ VANE_X: '1.5' }).int('VANE_X'), 'VANE_X=1.5 is not an integer'],
    ['int below min', () => readEnv({ VANE_X: '0' }).int('VANE_X', { min: 1 }), 'VANE_X=0 is not an integer ≥ 1'],
    ['int above max', () => readEnv({ VANE_X: '5000' }).int('VANE_X', { min: 512, max: 4096 }), 'VANE_X=5000 is not an integer ≥ 512 and ≤ 4096'],
    ['int in hex', () => readEnv({ VANE_X: '0x10' }).int('VANE_X'), 'VANE_X=0x10 is not an integer'],
    ['port', () => readEnv({ VANE_P: '70000' }).port('VANE_P'), 'VANE_P=70000 is not a TCP port (1-65535)'],
    ['port of letters', () => readEnv({ VANE_P: 'http' }).port('VANE_P', { default: 1 }), 'VANE_P=http is not a TCP port (1-65535)'],
    ['number', () => readEnv({ VANE_R: 'fast' }).number('VANE_R', { above: 0, max: 1000 }), 'VANE_R=fast is not a number > 0 and ≤ 1000'],
    ['number out of range', () => readEnv({ VANE_R: '0' }).number('VANE_R', { above: 0 }), 'VANE_R=0 is not a number > 0'],
    ['number of blanks', () => readEnv({ VANE_R: ' ' }).number('VANE_R'), 'VANE_R=  is not a number'],
    ['bool', () => readEnv({ VANE_B: 'maybe' }).bool('VANE_B'), 'VANE_B=maybe is not a boolean (true/false, 1/0, yes/no, on/off)'],
    ['word', () => readEnv({ VANE_W: 'loud' }).oneOf('VANE_W', ['info', 'warn']), 'VANE_W=loud is not one of info, warn'],
  ])('refuses a bad %s with VANE_ERR_CONFIG naming the variable, the value and what is accepted', (_kind, read, message) => {
    const error = refusal(read);
    expect(error.code).toBe('VANE_ERR_CONFIG');
    expect(error.retriable).toBe(false);
    expect(error.message).toBe(message);
  });

  it('builds connections and paths from the same reader', () => {
    expect(connectionsFromEnv({ VANE_KAFKA_PORT: '19092', VANE_SCYLLA_CONTACT_POINTS: 'a:1, b:2', VANE_KAFKA_DEBUG: '1' })).toMatchObject({
      kafkaBrokers: ['127.0.0.1:19092'],
      scyllaContactPoints: ['a:1', 'b:2'],
      kafkaClientId: 'vane',
      kafkaDebug: true,
      clickhouseUrl: 'http://127.0.0.1:8123',
    });
    expect(refusal(() => connectionsFromEnv({ VANE_CLICKHOUSE_PORT: 'x' })).message).toBe('VANE_CLICKHOUSE_PORT=x is not a TCP port (1-65535)');
    expect(portFromEnv({}, 'VANE_X_PORT', 7070)).toBe(7070);
    expect(infraPathsFromEnv({ VANE_HOME: '/tmp/h', VANE_CACHE_DIR: '/tmp/c' })).toEqual({ home: '/tmp/h', cacheDir: '/tmp/c' });
  });
});
