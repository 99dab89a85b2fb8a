import { appEntityId, type App, type ConfigState } from '@vane/config-model';

/**
 * Which zones the gateway is authoritative for and which app answers each
 * name, from the apps in config.changes.v1 (an app's `zone` and
 * `hostnames`; "*.<name>" answers every name below <name> that is not
 * claimed itself). Rebuilt whenever an app changes.
 */
export interface Zone {
  name: string;
  tenantId: string;
  /** SOA serial: the last change to an app of the zone, in seconds. */
  serial: number;
  exact: Map<string, string>;
  wildcards: Map<string, string>;
  /** Names that exist only because names below them do (empty non-terminals). */
  nonTerminals: Set<string>;
}

export type ZoneMatch =
  | { kind: 'app'; zone: Zone; appId: string; apex: boolean }
  | { kind: 'apex'; zone: Zone }
  | { kind: 'nodata'; zone: Zone }
  | { kind: 'nxdomain'; zone: Zone };

function parentOf(name: string): string | null {
  const dot = name.indexOf('.');
  return dot < 0 ? null : name.slice(dot + 1);
}

export class ZoneIndex {
  private zones = new Map<string, Zone>();

  constructor(private readonly config: ConfigState) {}

  rebuild(apps: readonly App[] = this.config.allApps()): void {
    const zones = new Map<string, Zone>();
    for (const app of apps) {
      if (!app.zone) continue;
      let zone = zones.get(app.zone);
      if (!zone) {
        zone = { name: app.zone, tenantId: app.tenantId, serial: 1, exact: new Map(), wildcards: new Map(), nonTerminals: new Set() };
        zones.set(app.zone, zone);
      }
      // Zones are one tenant's (the config service refuses overlaps); a stray app of another tenant is ignored.
      if (zone.tenantId !== app.tenantId) continue;
      const at = this.config.entity(appEntityId(app.appId))?.at ?? 0;
      zone.serial = Math.max(zone.serial, Math.floor(at / 1000));
      for (const hostname of app.hostnames) {
        const wildcard = hostname.startsWith('*.');
        const name = wildcard ? hostname.slice(2) : hostname;
        if (wildcard) zone.wildcards.set(name, app.appId);
        else zone.exact.set(name, app.appId);
        for (let p = wildcard ? name : parentOf(name); p && p !== zone.name && p.endsWith(`.${zone.name}`); p = parentOf(p)) zone.nonTerminals.add(p);
      }
    }
    this.zones = zones;
  }

  get size(): number {
    return this.zones.size;
  }

  /** The zone `qname` (lower case, no trailing dot) falls in and what answers it; null when none (REFUSED). */
  lookup(qname: string): ZoneMatch | null {
    let zone: Zone | undefined;
    for (let name: string | null = qname; name; name = parentOf(name)) {
      zone = this.zones.get(name);
      if (zone) break;
    }
    if (!zone) return null;
    const apex = qname === zone.name;
    const exact = zone.exact.get(qname);
    if (exact) return { kind: 'app', zone, appId: exact, apex };
    if (apex) return { kind: 'apex', zone };
    if (zone.nonTerminals.has(qname)) return { kind: 'nodata', zone };
    for (let name = parentOf(qname); name && name !== parentOf(zone.name); name = parentOf(name)) {
      const wildcard = zone.wildcards.get(name);
      if (wildcard) return { kind: 'app', zone, appId: wildcard, apex: false };
      if (name === zone.name) break;
    }
    return { kind: 'nxdomain', zone };
  }
}
