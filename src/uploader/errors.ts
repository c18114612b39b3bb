// The uploader answers as Ocean's does: a status and `{error}`. Its functions throw this one class
// (a status and a message); the /uploader scope and the private listener turn it into that body.
export class UploaderError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const invalid = (message: string) => new UploaderError(400, message);
export const refused = (message: string) => new UploaderError(403, message);
export const missing = (message: string) => new UploaderError(404, message);
/** The provider did not answer as its API says (down, too slow, or a malformed answer). */
export const providerFailed = (message: string) => new UploaderError(502, message);
