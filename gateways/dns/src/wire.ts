// `@vane/dns/wire`: the gateway's DNS wire code (the query walk and the answer
// writer), for the benchmark that compares it with dns2.
export { checkWire, type WireVerdict } from './wire-check';
export { T, encodeResponse, type ResponseSpec } from './dns-writer';
