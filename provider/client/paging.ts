/**
 * Following a HAL list (`_embedded`, `_links.next`) page by page, with the
 * rules every list keeps: a page that fails, is malformed, or whose next link
 * leaves the list (another host, another path, a dropped or changed filter),
 * leads back to a page already read, or runs past the page limit fails the
 * whole list, naming the page. An incomplete list is never taken for a whole one.
 */
import type { OperationTarget, PingOneApiError } from "./errors";
import type { Accepted, FailureInit } from "./pipeline";
import { printable, quote } from "./text";

/** One HAL list to page through. */
export interface ListSpec<T> {
  target: OperationTarget;
  firstPage: string;
  /** "session list", "user list": how messages name it. */
  noun: string;
  /** Checks and decodes one page's body (its JSON value). */
  read: (json: unknown) => { items: T[]; next?: string } | { problem: string };
  /** Pages followed at most before the list is not trusted. */
  maxPages: number;
  /** Checks a page's items against the pages before (users: repeats, selection); what it returns is yielded. */
  check?: (items: T[]) => T[] | { problem: string };
}

/** What paging needs of a client: one GET of a page, and the error about an answer it accepted. */
export interface PageSource {
  /** GETs `url` as one operation. */
  get(target: OperationTarget, url: string): Promise<Accepted>;
  /** The error about an accepted answer that cannot be used. */
  failed(target: OperationTarget, answer: Accepted, init: FailureInit): PingOneApiError;
}

/** What to do about a list that cannot be trusted. */
const LIST_ADVICE =
  "Run again; if it persists, check that the API URL points at PingOne's management API and quote the ids here to Ping support.";

/**
 * Yields the items of each page of a HAL list, from `firstPage` on, checked
 * by `read`. A 404 on the first page throws PingOne's own not-found (the
 * owner does not exist); on a later page, or any problem with a page or its
 * next link, it throws `MALFORMED_ANSWER` naming the page.
 */
export async function* pages<T>(
  source: PageSource,
  { target, firstPage, noun, read, maxPages, check }: ListSpec<T>,
): AsyncGenerator<T[]> {
  const pagesRead = new Set<string>();
  let url: string | undefined = firstPage;
  for (let page = 1; url !== undefined; page++) {
    const pageUrl: string = url;
    pagesRead.add(pageUrl);
    const answer = await source.get(target, pageUrl);
    const incomplete = `the ${noun} is incomplete, so nothing was concluded from it`;
    const malformed = (reason: string) =>
      source.failed(target, answer, {
        status: answer.status,
        reason: `page ${page} of the ${noun}: ${reason}; ${incomplete}`,
        failure: "MALFORMED_ANSWER",
        advice: LIST_ADVICE,
      });
    if (answer.kind === "not-found") {
      if (page === 1) throw source.failed(target, answer, { status: answer.status, body: answer.body });
      throw source.failed(target, answer, {
        status: answer.status,
        body: answer.body,
        reason: `page ${page} of the ${noun} answered 404 (an expired cursor or a bad next link); ${incomplete}`,
        failure: "MALFORMED_ANSWER",
        advice: LIST_ADVICE,
      });
    }
    const body = read(answer.json);
    if ("problem" in body) throw malformed(body.problem);
    const items = check ? check(body.items) : body.items;
    if ("problem" in items) throw malformed(items.problem);
    if (body.next === undefined) {
      yield items;
      return;
    }
    const next = nextPage(body.next, pageUrl, firstPage);
    if ("problem" in next) throw malformed(next.problem);
    if (pagesRead.has(next.url))
      throw malformed(`its next link leads back to page ${[...pagesRead].indexOf(next.url) + 1}, a cycle`);
    if (page >= maxPages)
      throw malformed(`the list goes on past ${maxPages} pages, far more than PingOne keeps, so it is not trusted`);
    yield items;
    url = next.url;
  }
}

/**
 * A next-page link resolved as a browser would (relative to the page that
 * gave it), followed only when it stays on the API's origin and on the list's
 * path: the token never travels elsewhere, and a link can never make another
 * user's sessions count as this one's.
 */
function nextPage(href: string, pageUrl: string, firstPage: string): { url: string } | { problem: string } {
  // The query (cursor, filter) may change from page to page; the path may not.
  let next: URL;
  try {
    next = new URL(href, pageUrl);
  } catch {
    return { problem: "its next link is not a URL" };
  }
  const first = new URL(firstPage);
  if (next.origin !== first.origin) {
    return {
      problem: `its next link leads to another host (${next.origin}); it was not followed, so the access token was not sent there`,
    };
  }
  if (next.pathname !== first.pathname) return { problem: `its next link leaves the list's path (${next.pathname})` };
  // A users list's filter is its selection: a link that drops or changes it would list users never asked for.
  const filter = first.searchParams.get("filter");
  if (filter !== null && next.searchParams.get("filter") !== filter) {
    const got = next.searchParams.get("filter");
    return {
      problem: `its next link ${got === null ? "drops the filter" : `changes the filter to ${quote(printable(got))}`} asked for; it was not followed`,
    };
  }
  next.hash = "";
  return { url: next.toString() };
}
