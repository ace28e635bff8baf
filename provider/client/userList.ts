/**
 * The rules a users list must keep before any of its users is acted on,
 * beyond those of every HAL list (paging.ts `pages`): each user once, a
 * bounded number of pages, and, for a population selection, only users of
 * that population. A sweep revokes whatever this lets through, so a list
 * that breaks a rule fails loudly rather than being trimmed in silence,
 * except for repeats, which are harmless once dropped.
 */
import { PingOneUser } from "./types";

/**
 * Most pages of one users list followed. Decided for a population of
 * 1,000,000 users: PingOne's pages hold at most 200 users but "may be
 * smaller", so 5,000 full pages would do; 100,000 allows pages averaging 10
 * users (20 times smaller than asked) before the list is not trusted.
 * A longer chain fails the whole list, naming the page.
 */
export const MAX_USER_PAGES = 100_000;

/**
 * Most pages in a row that bring no user not already listed. PingOne's cursor
 * moves forward, so a page of repeats only happens when the cursor advances
 * without the listing doing so (a broken or hostile server); a few are
 * tolerated (a user modified while listed may come back once), more fail.
 */
const MAX_PAGES_WITHOUT_NEW_USERS = 10;

/** The population a users filter selects, when it is exactly the one `population.id eq "…"` a sweep sends. */
function populationOfFilter(filter: string | undefined): string | undefined {
  return filter === undefined ? undefined : /^population\.id eq "([0-9a-fA-F-]{36})"$/.exec(filter)?.[1]?.toLowerCase();
}

/** Checks one users page against those before: the users not listed before, or why the list is not trusted. */
type UsersPageCheck = (users: PingOneUser[]) => PingOneUser[] | { problem: string };

/**
 * A checker of successive users pages: `check(page)` returns the users not
 * listed before (de-duplicated by id, case-insensitively), or the problem
 * that makes the list untrustworthy. It remembers every id listed (about
 * 80 bytes a user, 80 MB for 1,000,000 users): a repeat on any later page is
 * dropped, so no user is counted or revoked twice.
 */
export function usersPageChecker(filter: string | undefined): UsersPageCheck {
  const seen = new Set<string>();
  const population = populationOfFilter(filter);
  let pagesWithoutNew = 0;
  return (users) => {
    const fresh: PingOneUser[] = [];
    for (const user of users) {
      // A user outside the selection is never handed on: the server did not apply the filter asked for.
      if (population !== undefined && user.population?.id?.toLowerCase() !== population) {
        const found = user.population?.id ? `population ${user.population.id}` : "no population";
        return {
          problem: `it lists user ${user.id} of ${found}, outside the population ${population} asked for (the filter was not applied), so no user of it is trusted`,
        };
      }
      const id = user.id.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(user);
    }
    pagesWithoutNew = fresh.length === 0 ? pagesWithoutNew + 1 : 0;
    if (pagesWithoutNew > MAX_PAGES_WITHOUT_NEW_USERS) {
      const pages = MAX_PAGES_WITHOUT_NEW_USERS + 1;
      return {
        problem: `${pages} pages in a row listed no user not already listed: its cursor advances without the list doing so`,
      };
    }
    return fresh;
  };
}
