import { defineEntityType, heldOf, type Held } from './entity-type';
import { historyOf, isObject, num, str, strings } from './json-shape';

/**
 * "app" entities (entityId "app:<appId>", appId = "<tenantId>.<name>"): a
 * routing app and which of its versions answers.
 *
 *   AppPayload { appId, tenantId, name, description?, zone?, hostnames: string[],
 *                latestVersion, publishedVersion (null until published),
 *                history: [{ action: "publish" | "rollback", version, previous, at, actor }], createdAt }
 *
 * `zone` is the DNS zone the app answers in (SOA/NS at its apex);
 * `hostnames` are names in that zone (exact, or "*.<suffix>" wildcards).
 */
export const ENTITY_APP = 'app';

export interface AppHistoryEntry {
  action: 'publish' | 'rollback';
  version: number;
  previous: number | null;
  at: number;
  actor: string;
}

export interface AppPayload {
  appId: string;
  tenantId: string;
  name: string;
  description?: string;
  zone?: string;
  hostnames: string[];
  latestVersion: number;
  publishedVersion: number | null;
  history: AppHistoryEntry[];
  createdAt: number;
}

export type App = AppPayload & Held;

export function appEntityId(appId: string): string {
  return `app:${appId}`;
}

export function parseAppPayload(payload: unknown): AppPayload | null {
  if (!isObject(payload)) return null;
  const appId = str(payload.appId);
  const tenantId = str(payload.tenantId);
  if (!appId || !tenantId) return null;
  const published = num(payload.publishedVersion);
  return {
    appId,
    tenantId,
    name: str(payload.name) ?? appId,
    description: str(payload.description),
    zone: str(payload.zone)?.toLowerCase(),
    hostnames: (strings(payload.hostnames) ?? []).map((h) => h.toLowerCase()),
    latestVersion: num(payload.latestVersion) ?? 0,
    publishedVersion: published ?? null,
    history: historyOf<AppHistoryEntry>(payload.history, ['publish', 'rollback']),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export const appEntity = defineEntityType<AppPayload, App>({
  type: ENTITY_APP,
  parse: parseAppPayload,
  hold: (app, meta) => ({ ...app, ...heldOf(meta) }),
  key: (app) => app.appId,
});
