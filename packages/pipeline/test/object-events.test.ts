import { inputKey, segmentKey, toJobId } from '@stereo-spot/shared-types';
import { InvalidMessageError } from '../src/errors';
import { jobContextOfObjectEvents, readObjectEvents } from '../src/use-cases/messages';
import { objectsCreatedMessageFormat } from '../src/ports/object-events';

const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');
const SEGMENT = segmentKey({ jobId: JOB, segmentIndex: 2, totalSegments: 3, mode: 'sbs' });

describe('object events in the pipeline’s own message', () => {
  it('reads back the keys it wrote, as they are', () => {
    // Prepare
    const body = objectsCreatedMessageFormat.encodeCreated({ key: 'input/a b+c(1).mp4', size: 7 });

    // Act
    const events = readObjectEvents(objectsCreatedMessageFormat, body);

    // Assess
    expect(events).toEqual({ kind: 'objects-created', keys: ['input/a b+c(1).mp4'] });
  });

  it('rejects a body that is not such a message with the reason', () => {
    expect(() => readObjectEvents(objectsCreatedMessageFormat, 'not json')).toThrow(InvalidMessageError);
    expect(() => readObjectEvents(objectsCreatedMessageFormat, '{"objects_created":[]}')).toThrow(
      /^invalid objects-created message: objects_created: /,
    );
  });

  it('names the job (and segment) of a message for the logs, and nothing for an unreadable one', () => {
    // Prepare
    const jobContextOf = jobContextOfObjectEvents(objectsCreatedMessageFormat);
    const encode = (key: string) => objectsCreatedMessageFormat.encodeCreated({ key, size: 1 });

    // Act + Assess
    expect(jobContextOf(encode(inputKey(JOB)))).toEqual({ jobId: JOB });
    expect(jobContextOf(encode(SEGMENT))).toEqual({ jobId: JOB, segmentIndex: 2 });
    expect(jobContextOf(encode('elsewhere/x.mp4'))).toEqual({});
    expect(jobContextOf('{')).toEqual({});
  });
});
