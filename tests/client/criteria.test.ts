/**
 * The validators and matchers of a sweep's inputs: CIDR ranges (IPv4, IPv6, mapped), PingOne's SCIM filter
 * subset, user selections and shards.
 */
import assert from "node:assert/strict";
import {
  criteriaProblems,
  inRange,
  invalidFilterReason,
  parseCidr,
  selectionProblems,
  sessionMatcher,
  shardOf,
  shardProblems,
  type Cidr,
} from "../../provider/client/criteria";
import { decodeSession } from "../../provider/client/answers";

const ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("sweep inputs", () => {
  it("matches addresses against IPv4 and IPv6 ranges, including IPv4-mapped addresses", () => {
    const range = (t: string) => parseCidr(t) as Cidr;
    assert.equal(inRange("203.0.113.77", range("203.0.113.0/24")), true);
    assert.equal(inRange("203.0.114.1", range("203.0.113.0/24")), false);
    assert.equal(inRange("::ffff:203.0.113.5", range("203.0.113.0/24")), true);
    assert.equal(inRange("2001:db8::1", range("2001:db8::/32")), true);
    assert.equal(inRange("2001:db9::1", range("2001:db8::/32")), false);
    assert.equal(inRange("10.1.2.3", range("0.0.0.0/0")), true);
    assert.equal(inRange("2001:db8::1", range("203.0.113.0/24")), false);
    assert.equal(inRange("198.51.100.9", range("198.51.100.9")), true);
    assert.deepEqual(parseCidr("203.0.113.0/33"), { problem: '"203.0.113.0/33" has a prefix length outside 0-32' });
    assert.deepEqual(parseCidr("not-an-ip/8"), {
      problem: '"not-an-ip/8" is not an IPv4 or IPv6 range such as 203.0.113.0/24 or 2001:db8::/32',
    });
  });

  it("names each bad criterion by its property", () => {
    assert.deepEqual(
      criteriaProblems({ remoteIps: ["203.0.113.0/24", "300.1.1.1/8"], lastSignOnBefore: "yesterday" }),
      [
        {
          property: "lastSignOnBefore",
          reason:
            'lastSignOnBefore must be an ISO 8601 date-time with a time zone, such as 2026-11-28T12:00:00Z; got "yesterday"',
        },
        {
          property: "remoteIps[1]",
          reason: 'remoteIps[1]: "300.1.1.1/8" is not an IPv4 or IPv6 range such as 203.0.113.0/24 or 2001:db8::/32',
        },
      ],
    );
    assert.deepEqual(criteriaProblems({ remoteIps: [] }), [
      { property: "remoteIps", reason: "remoteIps must be a non-empty list of CIDR ranges such as 203.0.113.0/24" },
    ]);
  });

  it("selects sessions by every criterion given, and revokes when in doubt", () => {
    const s = (extra: Record<string, unknown>) => decodeSession({ id: ID, ...extra });
    const match = sessionMatcher({
      createdBefore: "2026-11-28T12:00:00Z",
      lastSignOnBefore: "2026-11-29T00:00:00Z",
      remoteIps: ["203.0.113.0/24"],
    });
    assert.equal(
      match(
        s({ createdAt: "2026-11-01T00:00:00Z", lastSignOn: { at: "2026-11-02T00:00:00Z", remoteIp: "203.0.113.9" } }),
      ),
      true,
    );
    assert.equal(
      match(
        s({
          createdAt: "2026-11-01T00:00:00Z",
          lastSignOn: { at: "2026-11-02T00:00:00Z", remoteIp: "198.51.100.1" },
          locations: [{ remoteIp: "203.0.113.200" }],
        }),
      ),
      true,
      "an earlier location in range counts",
    );
    assert.equal(
      match(
        s({ createdAt: "2026-11-01T00:00:00Z", lastSignOn: { at: "2026-11-02T00:00:00Z", remoteIp: "198.51.100.1" } }),
      ),
      false,
    );
    assert.equal(
      match(
        s({ createdAt: "2026-11-30T00:00:00Z", lastSignOn: { at: "2026-11-02T00:00:00Z", remoteIp: "203.0.113.9" } }),
      ),
      false,
      "created after the cutoff",
    );
    assert.equal(
      match(
        s({ createdAt: "2026-11-01T00:00:00Z", lastSignOn: { at: "2026-11-29T10:00:00Z", remoteIp: "203.0.113.9" } }),
      ),
      false,
      "signed on after the cutoff",
    );
    assert.equal(match(s({})), true, "nothing readable: when in doubt, revoke");
  });

  it("accepts PingOne's filter subset and names the first token it cannot read", () => {
    for (const ok of [
      'population.id eq "0f8fad5b-d9cb-469f-a165-70867728950e"',
      'population.id eq "0f8fad5b-d9cb-469f-a165-70867728950e" and username sw "contractor-"',
      'memberOfGroups[id eq "0f8fad5b-d9cb-469f-a165-70867728950e"]',
      '(username sw "a" or email eq "b@example.com") and enabled eq true',
    ])
      assert.equal(invalidFilterReason(ok), undefined, ok);
    assert.equal(
      invalidFilterReason('username co "x"'),
      'userFilter "username co \\"x\\"": an operator (eq or sw) is expected at token 2 ("co"); the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or',
    );
    assert.match(invalidFilterReason('(username eq "x"')!, /a \) is missing/);
    assert.match(invalidFilterReason('username eq "x" email eq "y"')!, /goes on after a complete expression/);
    assert.match(invalidFilterReason('username eq "x')!, /unterminated string/);
  });

  it('refuses memberOfGroups in any form but [id eq "…"], each part of it checked', () => {
    const FORM = 'the form is attribute eq|sw "value", or memberOfGroups[id eq "…"], joined by and/or';
    const refused: [filter: string, reason: string][] = [
      [
        'memberOfGroups[name eq "g"]',
        `userFilter "memberOfGroups[name eq \\"g\\"]": memberOfGroups takes [id eq "group id"] at token 3 ("name"); ${FORM}`,
      ],
      [
        'memberOfGroups[id sw "g"]',
        `userFilter "memberOfGroups[id sw \\"g\\"]": memberOfGroups takes [id eq "group id"] at token 3 ("id"); ${FORM}`,
      ],
      [
        "memberOfGroups[id eq g]",
        `userFilter "memberOfGroups[id eq g]": memberOfGroups takes [id eq "group id"] at token 3 ("id"); ${FORM}`,
      ],
      [
        'memberOfGroups[id eq "g"',
        `userFilter "memberOfGroups[id eq \\"g\\"": memberOfGroups takes [id eq "group id"] at token 3 ("id"); ${FORM}`,
      ],
      [
        'type eq "a" or memberOfGroups[id eq "g" or type eq "b"]',
        `userFilter "type eq \\"a\\" or memberOfGroups[id eq \\"g\\" or type eq \\"b\\"]": memberOfGroups takes [id eq "group id"] at token 7 ("id"); ${FORM}`,
      ],
    ];
    for (const [filter, reason] of refused) assert.equal(invalidFilterReason(filter), reason, filter);
  });

  it("requires exactly one user selection, and allUsers explicitly", () => {
    assert.deepEqual(selectionProblems({}), [
      {
        property: "populationId",
        reason:
          "say which users: populationId, userFilter, or allUsers: true (every user of the environment must be asked for explicitly)",
      },
    ]);
    assert.deepEqual(selectionProblems({ populationId: ID, allUsers: true }), [
      {
        property: "allUsers",
        reason: "give only one of populationId, userFilter and allUsers; got populationId and allUsers",
      },
    ]);
    assert.deepEqual(selectionProblems({ allUsers: true }), []);
    assert.equal(selectionProblems({ populationId: "pop" })[0].property, "populationId");
  });

  it("splits users into disjoint, complete, balanced shards", () => {
    assert.deepEqual(shardProblems({ index: 3, count: 3 }), [
      { property: "shard.index", reason: "shard.index must be a whole number from 0 to 2" },
    ]);
    const ids = Array.from({ length: 3000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const sizes = [0, 0, 0, 0];
    for (const id of ids) sizes[shardOf(id, 4)]++;
    assert.equal(
      sizes.reduce((a, b) => a + b),
      3000,
      "every user in exactly one shard",
    );
    for (const n of sizes) assert.ok(n > 600 && n < 900, `balanced: ${sizes.join(", ")}`);
  });

  // Runners of different versions split one population between them: a user's shard is part of the
  // published behaviour. These numbers were computed once (SHA-256 of the lower-case id, first 48 bits,
  // modulo the count) and are written here literally, so any change of the hash, of the bits taken or of
  // the case folding fails this test instead of silently sending a user to two runners, or to none.
  const GOLDEN_SHARDS: [id: string, counts: Record<number, number>][] = [
    ["0f8fad5b-d9cb-469f-a165-70867728950e", { 2: 0, 3: 0, 7: 0, 16: 4, 1000: 820, 10000: 8820 }],
    ["7C9E6679-7425-40DE-944B-E07FC1F90AE7", { 2: 1, 3: 2, 7: 2, 16: 13, 1000: 205, 10000: 2205 }],
    ["aBcDeF01-2345-4678-9AbC-dEf012345678", { 2: 0, 3: 2, 7: 3, 16: 14, 1000: 438, 10000: 3438 }],
    ["FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF", { 2: 1, 3: 1, 7: 3, 16: 5, 1000: 693, 10000: 8693 }],
    ["00000000-0000-4000-8000-000000000000", { 2: 0, 3: 1, 7: 5, 16: 0, 1000: 648, 10000: 7648 }],
    ["e3b0c442-98fc-1c14-9afb-f4c8996fb924", { 2: 1, 3: 2, 7: 5, 16: 13, 1000: 325, 10000: 3325 }],
  ];

  it("puts each user in the same shard as every other version does (golden table)", () => {
    for (const [id, expected] of GOLDEN_SHARDS) {
      const counts = Object.keys(expected).map(Number);
      assert.deepEqual(Object.fromEntries(counts.map((count) => [count, shardOf(id, count)])), expected, id);
    }
  });

  it("ignores the case of an id: PingOne's ids are case-insensitive, so upper, lower and mixed case land together", () => {
    for (const [id, expected] of GOLDEN_SHARDS) {
      for (const variant of [id.toLowerCase(), id.toUpperCase()]) {
        assert.deepEqual(
          Object.fromEntries(Object.keys(expected).map((count) => [count, shardOf(variant, Number(count))])),
          expected,
          variant,
        );
      }
    }
  });
});
