/** Types for `proxy-from-env` (axios' own dependency), which ships none. */
declare module "proxy-from-env" {
  /** The proxy URL the environment names for `url` (`HTTPS_PROXY`, `NO_PROXY`, ...), or "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
