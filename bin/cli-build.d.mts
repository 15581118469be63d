export declare const SOURCE_DIR: string;
export declare const BUILD_DIR: string;
export declare const STAMP: string;
export declare function isSource(path: string, sourceDir?: string): boolean;
export declare function sourceFiles(sourceDir?: string): string[];
export declare function digest(content: string | Buffer): string;
export declare function stampText(sources: Record<string, string>): string;
export declare function buildIsFresh(sourceDir?: string, buildDir?: string): boolean;
