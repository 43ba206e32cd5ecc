// test/support/light-runner.mjs: each task's channel answers the worker that asked, and only it
// (the runner's shared channel answered every waiting worker at once and forgot them, so a
// worker that asked later waited forever).
import { workerDataChannel } from "../support/light-runner.mjs";

const REQUEST = "jest-light-runner-get-worker-data";

test("a request is answered to the worker of that task, as often as it asks", () => {
  const data = { projectConfig: { rootDir: "/x" } };
  const a = workerDataChannel(data);
  const b = workerDataChannel(data);
  const toA: unknown[] = [];
  const toB: unknown[] = [];
  a.onMessage((m: unknown) => toA.push(m));
  b.onMessage((m: unknown) => toB.push(m));

  a.postMessage(REQUEST);
  expect(toA).toEqual([{ type: "jest-light-runner-worker-data", workerData: data }]);
  expect(toB).toEqual([]);
  // B asks later and still gets its answer.
  b.postMessage(REQUEST);
  b.postMessage(REQUEST);
  expect(toB).toHaveLength(2);
  // Anything else a worker prints on the channel is not a request.
  a.postMessage("hello");
  a.postMessage({ type: REQUEST });
  expect(toA).toHaveLength(1);
});
