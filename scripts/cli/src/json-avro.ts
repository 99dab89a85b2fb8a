import { Type, types } from 'avsc';

/**
 * The CLI's JSON mapping of Avro values: plain JSON with unions unwrapped
 * (as avsc represents them) and `bytes`/`fixed` as base64 strings. `toAvro`
 * and `toJson` are inverses, so `vane produce` → `vane consume` round-trips.
 */
function convert(type: Type, value: unknown, direction: 'in' | 'out'): unknown {
  if (value === null || value === undefined) return value;
  if (type instanceof types.BytesType || type instanceof types.FixedType) {
    if (direction === 'out') return Buffer.isBuffer(value) ? value.toString('base64') : value;
    return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
  }
  if (type instanceof types.RecordType) {
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const source = value as Record<string, unknown>;
    const result: Record<string, unknown> = { ...source };
    for (const field of type.fields) {
      if (field.name in source) result[field.name] = convert(field.type, source[field.name], direction);
    }
    return result;
  }
  if (type instanceof types.ArrayType) {
    return Array.isArray(value) ? value.map((v) => convert(type.itemsType, v, direction)) : value;
  }
  if (type instanceof types.MapType) {
    if (typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(type.valuesType, v, direction)]));
  }
  if (type instanceof types.UnwrappedUnionType) {
    const branches = type.types.filter((t) => t.typeName !== 'null');
    if (branches.length === 1) return convert(branches[0]!, value, direction);
    const match = branches.find((t) => t.isValid(direction === 'in' ? convert(t, value, 'in') : value));
    return match ? convert(match, value, direction) : value;
  }
  return value;
}

export function toAvro(type: Type, json: unknown): unknown {
  return convert(type, json, 'in');
}

export function toJson(type: Type, value: unknown): unknown {
  return convert(type, value, 'out');
}
