// Jest's test order (jest.config.js `testSequencer`) with one change for runs without timings
// from an earlier run (a fresh clone): jest then runs the largest files first, but the slowest
// suites are small files that plan whole sites themselves (change safety plans seven variants of
// avilla); started last, one of them kept a worker busy while the other sat idle. Here suites
// that call runPlan go first, then the rest largest first. Failed-last-time and timed suites
// keep jest's own order.
const fs = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

class PlansFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimed = (t) => t.duration == null && !this.hasFailed(t);
    const plans = (t) => /\brunPlan\(/.test(fs.readFileSync(t.path, "utf8"));
    // jest puts the untimed suites (not failed last time) together, ordered by size: reorder
    // them stably, planning suites first.
    const start = sorted.findIndex(untimed);
    if (start < 0) return sorted;
    let end = start;
    while (end < sorted.length && untimed(sorted[end])) end++;
    const group = sorted.slice(start, end);
    const planning = new Set(group.filter(plans));
    const reordered = [...planning, ...group.filter((t) => !planning.has(t))];
    return [...sorted.slice(0, start), ...reordered, ...sorted.slice(end)];
  }
}

module.exports = PlansFirstSequencer;
