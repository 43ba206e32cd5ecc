// Pulumi entry point: the stack outputs are the SiteOutputs contract (see outputs.ts, README).
import { main } from "./program";

export = main({ projectDir: __dirname });
