/** What `check --record` cannot do as asked (a file in the way, no compose file): exit 2. */
export class RecordError extends Error {
  override name = "RecordError";
}
