import { InvalidMediaError, isPermanentError, ObjectNotFoundError } from '../src/errors';

describe('error classification', () => {
  it('treats bad input as permanent and a missing object as transient (it may still be uploading)', () => {
    expect(isPermanentError(new InvalidMediaError('no video stream'))).toBe(true);
    expect(isPermanentError(new ObjectNotFoundError('in', 'input/x'))).toBe(false);
  });

  it('honours the permanent flag on errors from other packages', () => {
    expect(isPermanentError(Object.assign(new Error('truncated'), { permanent: true }))).toBe(true);
    expect(isPermanentError(new Error('ECONNRESET'))).toBe(false);
    expect(isPermanentError('text')).toBe(false);
  });
});
