import type { App, AppPayload, AppVersion, ConfigState } from '@vane/config-model';
import { VaneError } from '@vane/core';

/**
 * An app as the app routes read and show it: the caller's own app (another
 * tenant's answers 404), its payload for the next write, and the JSON views
 * of apps and versions.
 */

/** Steps of an app's publish/rollback history kept. */
export const HISTORY_KEPT = 100;

/** The tenant's app `appId`; VANE_ERR_NOT_FOUND when it does not exist or belongs to another tenant. */
export function ownApp(state: ConfigState, tenantId: string, appId: string): App {
  const held = state.app(appId);
  if (!held || held.tenantId !== tenantId) throw new VaneError('VANE_ERR_NOT_FOUND', `no app ${appId}`);
  return held;
}

/** The payload of a held app (without the entity version), to change and write back. */
export function appPayloadOf(held: App): AppPayload {
  const { entityVersion: _v, ...payload } = held;
  return payload;
}

export function appView(app: App): Record<string, unknown> {
  return {
    appId: app.appId,
    name: app.name,
    description: app.description ?? null,
    zone: app.zone ?? null,
    hostnames: app.hostnames,
    latestVersion: app.latestVersion,
    publishedVersion: app.publishedVersion,
    history: app.history,
    createdAt: app.createdAt,
  };
}

export function versionSummary(v: AppVersion): Record<string, unknown> {
  return {
    version: v.version,
    sourceSha256: v.sourceSha256,
    providers: v.providers.map((p) => p.id),
    fallback: v.fallback,
    ttl: v.ttl,
    data: v.data,
    tests: v.tests.length,
    testReport: v.testReport ?? null,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
  };
}

export function versionView(v: AppVersion): Record<string, unknown> {
  return { ...versionSummary(v), source: v.source, providers: v.providers, settings: v.settings, tests: v.tests };
}
