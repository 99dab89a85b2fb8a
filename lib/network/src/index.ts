export * from './truncate-ip';
export { defaultGeoDataPaths, MaxmindGeo, noGeo, openGeo, type GeoDataPaths, type GeoLookup } from './geo-lookup';
export * from './client-network';
