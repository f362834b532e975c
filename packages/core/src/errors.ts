/**
 * An error the user can act on, worded in both languages. The message carries both
 * ("zh / en") for logs and plain-JSON API users; the UI picks `zh` or `en`.
 */
export class BilingualError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
    this.name = new.target.name;
  }
}
