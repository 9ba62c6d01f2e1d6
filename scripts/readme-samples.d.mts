// Types for scripts/readme-samples.mjs (imported by test/e2e/readme-samples.e2e.test.ts).
export declare const ROOT: string;
export declare const README: string;
export declare function sampleCommands(readme: string): string[];
export declare function sampleBlocks(readme: string): { command: string; text: string }[];
export declare function normalise(text: string): string;
export declare function comparable(text: string): string;
export declare function runSample(command: string): string;
export declare function settledSample(command: string, tries?: number, pauseMs?: number): Promise<string>;
export declare function sampleMatches(command: string, text: string, withinMs?: number, pauseMs?: number): Promise<{ ok: boolean; actual: string }>;
export declare function regenerate(readme: string): Promise<string>;
