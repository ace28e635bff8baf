/**
 * PingOne regions and their service hosts, as published by Ping (and as the
 * official Terraform provider names them with `region_code`).
 */

/** A PingOne region code. */
export type RegionCode = "NA" | "EU" | "CA" | "AP" | "AU" | "SG";

/** The top-level domain of each region: api.pingone.{tld} and auth.pingone.{tld}. */
export const REGION_TLDS: Readonly<Record<RegionCode, string>> = {
  NA: "com",
  EU: "eu",
  CA: "ca",
  AP: "asia",
  AU: "com.au",
  SG: "sg",
};

/** The region used when none is configured. */
export const DEFAULT_REGION: RegionCode = "NA";

/** True when `code` is one of the region codes above (exact, upper case). */
export function isRegionCode(code: string): code is RegionCode {
  return Object.prototype.hasOwnProperty.call(REGION_TLDS, code);
}

/** The management API base of a region, ending in `/v1`. */
export function regionApiUrl(region: RegionCode): string {
  return `https://api.pingone.${REGION_TLDS[region]}/v1`;
}

/** The authorization service base of a region (token endpoint: `{base}/{envId}/as/token`). */
export function regionAuthUrl(region: RegionCode): string {
  return `https://auth.pingone.${REGION_TLDS[region]}`;
}
