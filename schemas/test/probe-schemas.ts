/** Three versions of a small test schema: the base, a BACKWARD-compatible change and an incompatible one. */
export const base = {
  type: 'record',
  name: 'Probe',
  namespace: 'vane.test',
  doc: 'test record',
  fields: [
    { name: 'id', type: 'string', doc: 'id' },
    { name: 'value', type: 'double', doc: 'value' },
  ],
};
export const compatible = { ...base, fields: [...base.fields, { name: 'note', type: ['null', 'string'], default: null, doc: 'optional' }] };
export const incompatible = { ...base, fields: [...base.fields, { name: 'required', type: 'string', doc: 'no default' }] };
