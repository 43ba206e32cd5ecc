// plant:databases[].drill.checks: one failing fixture per rule (mutations of the Avilla stack
// file), each refused with the key path and what is wrong.
import * as path from "path";
import { parseSite, readSiblingSites, readStackFile, SiteConfigError } from "../../config/site";
import { parseCron, previousFire } from "../../tools/verify/cron";

const ROOT = path.resolve(__dirname, "../..");
type Raw = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function problemsOf(mutate: (r: Raw) => void): string[] {
  const raw: Raw = readStackFile(path.join(ROOT, "Pulumi.avilla.yaml"));
  mutate(raw);
  try {
    parseSite("avilla", raw, readSiblingSites(ROOT, "avilla"));
  } catch (e) {
    if (e instanceof SiteConfigError) return e.problems.map((p) => `[${p.key}] ${p.message}`);
    throw e;
  }
  return [];
}

const checks = (r: Raw) => r.databases[0].drill.checks;
const K = "plant:databases[0].drill.checks";

test("the stack file's drill checks are valid", () => {
  expect(problemsOf(() => undefined)).toEqual([]);
});

test.each<[string, (r: Raw) => void, string]>([
  [
    "a name used twice",
    (r) => (checks(r)[1].name = "owner-present"),
    `[${K}[1].name] 'owner-present' is used twice in database reporting (also checks[0])`,
  ],
  [
    "a name with capitals",
    (r) => (checks(r)[0].name = "Owner"),
    `[${K}[0].name] 'Owner' must be lowercase letters, digits, - and _ (≤ 63)`,
  ],
  ["empty SQL", (r) => (checks(r)[0].sql = "  "), `[${K}[0].sql] must not be empty`],
  [
    "two statements",
    (r) => (checks(r)[0].sql = "select 1; delete from t"),
    `[${K}[0].sql] holds several statements; a check is one query returning one value`,
  ],
  [
    "an empty range",
    (r) => (checks(r)[1].expect = {}),
    `[${K}[1].expect] a range needs min, max or both`,
  ],
  [
    "min above max",
    (r) => (checks(r)[1].expect = { min: 5, max: 1 }),
    `[${K}[1].expect] min 5 is above max 1`,
  ],
  [
    "no expect",
    (r) => delete checks(r)[0].expect,
    `[${K}[0].expect] must be a value (text, number, true/false or null) or a range { min, max }`,
  ],
  ["an unknown key", (r) => (checks(r)[0].expected = 1), `[${K}[0]] Unrecognized key: "expected"`],
])("%s", (_, mutate, problem) => {
  expect(problemsOf(mutate)).toEqual([problem]);
});

test("a semicolon inside a string or at the end is one statement", () => {
  expect(
    problemsOf((r) => (checks(r)[0].sql = "select count(*) from t where note = 'a;b';")),
  ).toEqual([]);
});

test.each([
  ["0 0 2 * * *", "2026-11-23T10:00:00Z", "2026-11-23T02:00:00.000Z"],
  ["0 0 2 * * *", "2026-11-23T02:00:00Z", "2026-11-22T02:00:00.000Z"],
  ["0 30 */6 * * *", "2026-11-23T13:00:00Z", "2026-11-23T12:30:00.000Z"],
  ["0 0 3 * * 0", "2026-11-23T10:00:00Z", "2026-11-22T03:00:00.000Z"],
  ["0 0 1 1 * *", "2026-11-23T10:00:00Z", "2026-11-01T01:00:00.000Z"],
])("backup schedule %s: the run before %s was %s", (expr, before, fire) => {
  expect(previousFire(parseCron(expr), new Date(before))?.toISOString()).toBe(fire);
});

// The schedule is read by config/cron.ts, so everything the config accepts is understood.
test.each([
  ["0 0 2 * * MON", "2026-11-24T10:00:00Z", "2026-11-23T02:00:00.000Z"],
  ["0 0 2 ? * *", "2026-11-23T10:00:00Z", "2026-11-23T02:00:00.000Z"],
  ["@daily", "2026-11-23T10:00:00Z", "2026-11-23T00:00:00.000Z"],
  ["@weekly", "2026-11-23T10:00:00Z", "2026-11-22T00:00:00.000Z"],
])(
  "backup schedule %s as the config accepts it: the run before %s was %s",
  (expr, before, fire) => {
    expect(previousFire(parseCron(expr), new Date(before))?.toISOString()).toBe(fire);
  },
);

// CloudNativePG's operator runs in plant:site.timeZone: its schedules fire on that wall clock.
test.each([
  [
    "0 0 2 * * *",
    "America/Indiana/Indianapolis",
    "2026-07-01T12:00:00Z",
    "2026-07-01T06:00:00.000Z",
  ],
  [
    "0 0 2 * * *",
    "America/Indiana/Indianapolis",
    "2026-01-15T12:00:00Z",
    "2026-01-15T07:00:00.000Z",
  ],
  [
    "0 0 2 * * *",
    "America/Indiana/Indianapolis",
    "2026-01-15T06:59:59Z",
    "2026-01-14T07:00:00.000Z",
  ],
  ["0 0 2 * * *", "Australia/Sydney", "2026-07-01T12:00:00Z", "2026-06-30T16:00:00.000Z"],
  ["0 0 3 * * 0", "Australia/Sydney", "2026-11-22T10:00:00Z", "2026-11-21T16:00:00.000Z"],
  // 02:30 does not exist on 2026-03-08 in Indiana (02:00 → 03:00): the day before's run.
  [
    "0 30 2 * * *",
    "America/Indiana/Indianapolis",
    "2026-03-08T12:00:00Z",
    "2026-03-07T07:30:00.000Z",
  ],
  // 01:30 happens twice on 2026-11-01 (EDT, then EST): the later one once it has passed.
  [
    "0 30 1 * * *",
    "America/Indiana/Indianapolis",
    "2026-11-01T07:00:00Z",
    "2026-11-01T06:30:00.000Z",
  ],
  [
    "0 30 1 * * *",
    "America/Indiana/Indianapolis",
    "2026-11-01T06:00:00Z",
    "2026-11-01T05:30:00.000Z",
  ],
])("backup schedule %s in %s: the run before %s was %s", (expr, zone, before, fire) => {
  expect(previousFire(parseCron(expr), new Date(before), zone)?.toISOString()).toBe(fire);
});

test("schedules verify cannot read say so", () => {
  expect(() => parseCron("0 2 * * *")).toThrow(
    "'0 2 * * *' must be a six-field cron expression (seconds first)",
  );
  expect(() => parseCron("0 0 2 * * 8")).toThrow(
    "'0 0 2 * * 8' has an invalid day-of-week field: '8' is outside 0-6",
  );
});
