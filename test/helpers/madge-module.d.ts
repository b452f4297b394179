// madge ships no types; this declares the part test/architecture.test.ts uses (madge 8's API).
declare module 'madge' {
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    tsConfig?: string;
    excludeRegExp?: RegExp[];
  }
  interface MadgeResult {
    /** Each file (relative to baseDir) → the files it imports. */
    obj(): Record<string, string[]>;
    /** Every import cycle, as the files around it. */
    circular(): string[][];
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
}
