// Renders the site picture to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no
// binary to install, the same output on every machine. The WebAssembly module is loaded once
// per process (about 50 ms), a site renders in tens of milliseconds.
import { instance, Viz } from "@viz-js/viz";
import { buildSiteGraph, SiteGraphInput } from "./site-graph";
import { siteDot } from "./site-dot";

let viz: Promise<Viz> | undefined;

/** The Graphviz instance of this process, loaded on first use. */
export function graphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/** DOT text to SVG; throws with Graphviz's own message when the DOT is not valid. */
export async function renderSvg(dot: string): Promise<string> {
  return (await graphviz()).renderString(dot, { format: "svg", engine: "dot" });
}

/** site.svg of a plan. */
export function renderSiteSvg(plan: SiteGraphInput): Promise<string> {
  return renderSvg(siteDot(buildSiteGraph(plan)));
}
