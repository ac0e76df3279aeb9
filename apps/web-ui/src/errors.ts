/** Why the web UI could not start, with a stable code (request errors are HttpError). */
export type WebUiErrorCode = 'ADDRESS_IN_USE' | 'LISTEN_FAILED';

export class WebUiError extends Error {
  override readonly name = 'WebUiError';

  constructor(
    readonly code: WebUiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A listen failure in words that say what to do: the address is taken, or not allowed. */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number): WebUiError {
  const address = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new WebUiError(
      'ADDRESS_IN_USE',
      `${address} is already in use: stop the program listening there, or choose another port with PORT=<n>`,
      { cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new WebUiError(
      'LISTEN_FAILED',
      `not allowed to listen on ${address}: ports below 1024 need privileges, choose another with PORT=<n>`,
      { cause: error },
    );
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new WebUiError('LISTEN_FAILED', `cannot listen on ${address}: HOST=${host} is not an address of this machine`, {
      cause: error,
    });
  }
  return new WebUiError('LISTEN_FAILED', `cannot listen on ${address}: ${error.message}`, { cause: error });
}
