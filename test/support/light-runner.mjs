// jest.config.js `runner`: jest-light-runner (0.7.13) in child processes, with one fix. The
// runner hands each worker process its configuration through one channel shared by every task,
// and answers a worker's request by sending the configuration to every worker that has a task
// waiting, then forgetting them all. A worker whose copy arrived before it listened, and whose
// own request then found nobody waiting, waited forever: with four workers the run hung at its
// first files. Here each task brings its own channel, so a request is answered to the worker
// that asked, whenever it asks.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Tinypool from "tinypool";
import { createRunner } from "jest-light-runner";

const require = createRequire(import.meta.url);
const WORKER = pathToFileURL(
  path.join(path.dirname(require.resolve("jest-light-runner")), "worker-runner.js"),
).href;
const REQUEST = "jest-light-runner-get-worker-data";

/** The channel of one task: answers the request of the worker process that runs it. */
export function workerDataChannel(workerData) {
  let toWorker;
  return {
    onMessage(listener) {
      toWorker = listener;
    },
    postMessage(message) {
      if (message === REQUEST) toWorker?.({ type: "jest-light-runner-worker-data", workerData });
    },
  };
}

const LightRunner = createRunner({ runtime: "child_process" });

export default class PlantLightRunner extends LightRunner {
  constructor(globalConfig, ...rest) {
    super(globalConfig, ...rest);
    // The run's testTimeout, for light-timeouts.js in the workers (and in this process when
    // --runInBand runs the files here).
    process.env.PLANT_TEST_TIMEOUT_MS = String(globalConfig.testTimeout);
  }

  _runTest(test) {
    // --runInBand runs in jest's own process, where no channel is involved.
    if (this._runtime !== "child_process") return super._runTest(test);
    const projectConfig = test.context.config;
    if (!this._testRunners.has(projectConfig)) {
      const { maxWorkers } = this._globalConfig;
      const workerData = {
        globalConfig: this._globalConfig,
        projectConfig,
        runtime: this._runtime,
      };
      const pool = new Tinypool({
        filename: WORKER,
        runtime: "child_process",
        minThreads: maxWorkers,
        maxThreads: maxWorkers,
        env: process.env,
        trackUnmanagedFds: false,
        workerData,
      });
      this._testRunners.set(projectConfig, {
        pool,
        run: (t) => pool.run(t.path, { channel: workerDataChannel(workerData) }),
      });
    }
    return this._testRunners.get(projectConfig).run(test);
  }
}
