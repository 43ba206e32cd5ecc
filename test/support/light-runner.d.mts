// Types of light-runner.mjs for its test.
export function workerDataChannel(workerData: unknown): {
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
};
declare const PlantLightRunner: unknown;
export default PlantLightRunner;
