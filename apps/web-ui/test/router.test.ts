import { Router } from '../src';

describe('Router', () => {
  const noop = () => undefined;

  it('matches exact and :param segments and decodes parameters', () => {
    // Prepare
    const router = new Router().add('GET', '/api/jobs', noop).add('GET', '/api/jobs/:id/events', noop);

    // Act
    const list = router.match('GET', '/api/jobs/');
    const events = router.match('GET', '/api/jobs/a%20b/events');

    // Assess
    expect(list).toMatchObject({ kind: 'found', params: {} });
    expect(events).toMatchObject({ kind: 'found', params: { id: 'a b' } });
  });

  it('tells a wrong method from an unknown path, and serves HEAD with the GET route', () => {
    // Prepare
    const router = new Router().add('GET', '/api/jobs/:id', noop).add('DELETE', '/api/jobs/:id', noop);

    // Act + Assess
    expect(router.match('POST', '/api/jobs/x')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET', 'DELETE'],
    });
    expect(router.match('GET', '/api/nothing')).toEqual({ kind: 'not-found' });
    expect(router.match('HEAD', '/api/jobs/x').kind).toBe('found');
    expect(router.match('GET', '/api/jobs/%E0%A4%A').kind).toBe('not-found');
  });
});
