import { Type, type Schema } from 'avsc';

/**
 * BACKWARD compatibility as the registry defines it: a consumer using the new
 * schema can read every record written with the previous one. Checked locally
 * with Avro schema resolution, so an incompatible change is refused before it
 * reaches any registry.
 */
export function backwardCompatible(previous: object, next: object): { compatible: boolean; reason?: string } {
  try {
    Type.forSchema(next as Schema).createResolver(Type.forSchema(previous as Schema));
    return { compatible: true };
  } catch (error) {
    return { compatible: false, reason: (error as Error).message };
  }
}
