import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { SpecError, type Position } from "./spec-error.js";

export type NodePath = readonly (string | number)[];

/** A parsed YAML file that remembers where each of its nodes sits. Syntax errors throw a SpecError. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new SpecError(
        doc.errors.map((error) => ({ file, ...lines.linePos(error.pos[0]), message: error.message })),
      );
    }
    return new YamlSource(file, doc.toJS(), doc, lines);
  }

  /** Where the value at `path` starts, or (when it is absent) the nearest node above it. */
  valueAt(path: NodePath): Position {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.position(node.range[0]);
    }
    return this.position(0);
  }

  /** Where the key of the last step of `path` is written (for an unknown key), else where its value is. */
  keyAt(path: NodePath): Position {
    const parent = this.doc.getIn(path.slice(0, -1), true);
    const key = path.at(-1);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (pair && isNode(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.valueAt(path);
  }

  private position(offset: number): Position {
    return { file: this.file, ...this.lines.linePos(offset) };
  }
}
