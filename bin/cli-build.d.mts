export declare const SOURCE_DIR: string;
export declare const BUILD_DIR: string;
export declare const STAMP: string;
export declare function isSource(path: string): boolean;
export declare function buildIsFresh(): boolean;
